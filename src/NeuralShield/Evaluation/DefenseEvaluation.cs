using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Evaluation;

/// <summary>
/// Evaluates a training defense the way its papers' critics did: besides the plain attack, (1) an adaptive attack
/// on a view of the defended model whose gradient is not masked — the temperature-restored logits
/// (<see cref="Attacks.Adaptive.TemperatureRestoredClassifier"/>) against distillation, a stabilised backward pass
/// (<see cref="Attacks.Adaptive.StabilisedGradientClassifier"/>) against saturation, or a logit-margin loss
/// (<see cref="Attacks.Core.GradientLoss.LogitMargin"/>) — and (2) a transfer attack crafted on an undefended model trained on the
/// same data. A defense that only masks gradients falls to (1) or (2).
/// </summary>
public static class DefenseEvaluation
{
    /// <summary>Runs the evaluation.</summary>
    /// <param name="defended">The defended classifier (e.g. a <see cref="Defenses.Training.HardenedModel.Classifier"/>, or an output-defended view).</param>
    /// <param name="undefended">An undefended classifier of the same task (the baseline and the transfer substitute).</param>
    /// <param name="test">Test data; clean accuracies use all of it, the attacks the first <see cref="DefenseEvaluationOptions.AttackSamples"/> that qualify.</param>
    /// <param name="options">The attacks and the protocol.</param>
    /// <param name="cancellationToken">Checked between attack batches (and inside the attacks).</param>
    /// <exception cref="ArgumentException">The classifiers or the data disagree on the class count, or no sample qualifies.</exception>
    public static DefenseEvaluationReport Evaluate(IDifferentiableClassifier defended, IDifferentiableClassifier undefended, LabeledData test,
        DefenseEvaluationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(defended);
        ArgumentNullException.ThrowIfNull(undefended);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        cancellationToken.ThrowIfCancellationRequested();
        if (undefended.ClassCount != defended.ClassCount)
            throw new ArgumentException($"The undefended classifier has {undefended.ClassCount} classes, the defended one {defended.ClassCount}.", nameof(undefended));
        if (test.ClassCount != defended.ClassCount)
            throw new ArgumentException($"test has {test.ClassCount} classes but the classifiers {defended.ClassCount}.", nameof(test));

        var undefendedAccuracy = NeuralShield.Training.ModelAccuracy.Of(undefended, test);
        var defendedAccuracy = NeuralShield.Training.ModelAccuracy.Of(defended, test);

        using var scope = NewDisposeScope();
        var (inputs, labels, picked) = Select(defended, undefended, test, o);
        var (x, goal) = Expand(inputs, labels, o.Goal, defended.ClassCount);
        var instances = (int)x.shape[0];

        o.Progress?.Report($"{o.Attack.Descriptor.Name} on the undefended classifier ({instances} instances)");
        var (undefendedOutcome, undefendedAdversarials) = Run(o.Attack, undefended, undefended, x, goal, o.BatchSize, cancellationToken);
        o.Progress?.Report($"{o.Attack.Descriptor.Name} on the defended classifier");
        var (defendedOutcome, _) = Run(o.Attack, defended, defended, x, goal, o.BatchSize, cancellationToken);
        var view = o.AdaptiveView?.Invoke(defended) ?? defended;
        var adaptive = o.AdaptiveAttack ?? o.Attack;
        o.Progress?.Report($"adaptive {adaptive.Descriptor.Name} on {view.GetType().Name}");
        var (adaptiveOutcome, _) = Run(adaptive, view, defended, x, goal, o.BatchSize, cancellationToken);

        EvasionMetrics transferOutcome;
        if (o.TransferAttack is null)
        {
            transferOutcome = Judge(defended, undefendedAdversarials, x, goal, undefendedOutcome.Queries, TimeSpan.Zero);
        }
        else
        {
            var (_, crafted) = Run(o.TransferAttack, undefended, undefended, x, goal, o.BatchSize, cancellationToken);
            transferOutcome = Judge(defended, crafted, x, goal, 0, TimeSpan.Zero);
        }
        return new DefenseEvaluationReport(test.Count, undefendedAccuracy, defendedAccuracy, picked, instances, o.Goal,
            undefendedOutcome, defendedOutcome, adaptiveOutcome, transferOutcome);
    }

    /// <summary>The first samples of <paramref name="test"/> that qualify, on the defended classifier's device.</summary>
    private static (Tensor Inputs, Tensor Labels, int Count) Select(IClassifier defended, IClassifier undefended, LabeledData test, DefenseEvaluationOptions o)
    {
        var device = defended.Device;
        if (!o.OnlyCorrectlyClassified)
        {
            var n = Math.Min(o.AttackSamples, test.Count);
            return (test.Features.narrow(0, 0, n).to(device), test.Labels.narrow(0, 0, n).to(device), n);
        }
        var chosen = new List<long>();
        var batch = Math.Max(o.AttackSamples, 256);
        for (var start = 0; start < test.Count && chosen.Count < o.AttackSamples; start += batch)
        {
            using var scope = NewDisposeScope();
            var len = Math.Min(batch, test.Count - start);
            var xs = test.Features.narrow(0, start, len).to(device);
            var ys = test.Labels.narrow(0, start, len).to(device);
            var ok = defended.Predict(xs).eq(ys).logical_and(undefended.Predict(xs).to(device).eq(ys));
            foreach (var i in ok.nonzero().view(-1).cpu().data<long>())
            {
                if (chosen.Count == o.AttackSamples) break;
                chosen.Add(start + i);
            }
        }
        if (chosen.Count == 0) throw new ArgumentException("No test sample is classified correctly by both classifiers.", nameof(test));
        var index = tensor(chosen.ToArray(), device: test.Features.device);
        return (test.Features.index_select(0, index).to(device), test.Labels.index_select(0, index).to(device), chosen.Count);
    }

    /// <summary>The attack instances: the samples themselves (untargeted) or each sample once per other class.</summary>
    private static (Tensor Inputs, AttackGoal Goal) Expand(Tensor inputs, Tensor labels, EvaluationGoal goal, int classCount)
    {
        if (goal == EvaluationGoal.Untargeted) return (inputs, AttackGoal.Untargeted(labels));
        var n = inputs.shape[0];
        var repeats = classCount - 1;
        var x = inputs.repeat_interleave(repeats, 0);
        var offsets = arange(1, classCount, dtype: ScalarType.Int64, device: labels.device).repeat(n);
        var targets = (labels.repeat_interleave(repeats, 0) + offsets).remainder(classCount);
        return (x, AttackGoal.Targeted(targets));
    }

    /// <summary>Runs <paramref name="attack"/> on <paramref name="model"/> in batches and judges the adversarials on <paramref name="judge"/>.</summary>
    private static (EvasionMetrics Outcome, Tensor Adversarials) Run(IEvasionAttack<IDifferentiableClassifier> attack, IDifferentiableClassifier model,
        IClassifier judge, Tensor x, AttackGoal goal, int batchSize, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var result = attack.Run(model, x, goal, new RunOptions { BatchSize = batchSize }, cancellationToken);
        var adversarials = result.Adversarials.detach().clone();
        return (Judge(judge, adversarials, x, goal, result.Metrics.Queries, watch.Elapsed), adversarials);
    }

    /// <summary>Success and distances of <paramref name="adversarials"/> judged on <paramref name="judge"/>.</summary>
    private static EvasionMetrics Judge(IClassifier judge, Tensor adversarials, Tensor original, AttackGoal goal, long queries, TimeSpan elapsed)
    {
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var onDevice = adversarials.to(judge.Device);
        var success = goal.IsSuccess(judge.Predict(onDevice).to(goal.Labels.device));
        return EvasionMetrics.Of(adversarials, original, success, queries, elapsed + watch.Elapsed);
    }
}
