using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks.Extraction;

/// <summary>
/// Transferability of adversarial examples (Szegedy et al. 2014; Papernot et al., AsiaCCS 2017, arXiv 1602.02697): craft
/// with an attack on each model of a set, judge on each. A defense that only masks its gradients (defensive distillation,
/// saturation) resists the white-box attack on itself but not adversarials crafted on another model, so a transferred
/// (or black-box) attack that beats the white-box one on the same model raises the gradient-masking flag
/// (Carlini et al., "On Evaluating Adversarial Robustness", 2019, §4.3).
/// </summary>
public static class TransferEvaluation
{
    /// <summary>The row name of the black-box attack.</summary>
    public static string BlackBoxRow(IAttack attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        return "black-box: " + attack.Descriptor.Name;
    }

    /// <summary>
    /// The transfer matrix over <paramref name="models"/> (rows for the differentiable ones, a column each) and
    /// <paramref name="substitutes"/> (rows only), on the first qualifying samples of <paramref name="test"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No model, duplicate names, class counts that disagree, or no sample qualifies.</exception>
    public static TransferMatrix Evaluate(IReadOnlyList<TransferModel> models, IReadOnlyList<TransferSource>? substitutes, LabeledData test,
        TransferEvaluationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        substitutes ??= [];
        if (models.Count == 0) throw new ArgumentException("At least one model is needed.", nameof(models));
        var names = models.Select(m => m.Name).Concat(substitutes.Select(s => s.Name)).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException($"Model and substitute names must be distinct; got {string.Join(", ", names)}.", nameof(models));
        foreach (var m in models.Select(m => m.Model).Concat(substitutes.Select(s => (IClassifier)s.Model)))
            if (m.ClassCount != test.ClassCount)
                throw new ArgumentException($"Every model must have the test data's {test.ClassCount} classes; one has {m.ClassCount}.", nameof(models));
        cancellationToken.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        var (x, y, count) = Select(models, test, o);
        var goal = AttackGoal.Untargeted(y);
        var columns = models.Select(m => m.Name).ToList();
        var rows = new List<string>();
        var rates = new List<IReadOnlyList<double>>();

        var sources = models.Where(m => m.Model is IDifferentiableClassifier).Select(m => (m.Name, Model: (IDifferentiableClassifier)m.Model))
            .Concat(substitutes.Select(s => (s.Name, s.Model)));
        foreach (var (name, source) in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            o.Progress?.Report($"{o.Attack.Descriptor.Name} crafted on {name}");
            using var rowScope = NewDisposeScope();
            using var crafted = o.Attack.Run(source, x, goal, new RunOptions { BatchSize = o.BatchSize }, cancellationToken);
            rows.Add(name);
            rates.Add(models.Select(m => Judge(m.Model, crafted.Adversarials, goal, o.BatchSize)).ToArray());
        }
        if (o.BlackBoxAttack is { } blackBox)
        {
            var row = new double[models.Count];
            for (var c = 0; c < models.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                o.Progress?.Report($"{blackBox.Descriptor.Name} on {models[c].Name}");
                using var result = blackBox.Run(models[c].Model, x, goal, new RunOptions { BatchSize = o.BatchSize }, cancellationToken);
                row[c] = result.Metrics.SuccessRate;
            }
            rows.Add(BlackBoxRow(blackBox));
            rates.Add(row);
        }

        var flags = new List<GradientMaskingFlag>();
        for (var c = 0; c < columns.Count; c++)
        {
            var diagonal = rows.IndexOf(columns[c]);
            var white = diagonal >= 0 ? rates[diagonal][c] : double.NaN;
            var best = (Rate: double.NaN, Row: "");
            for (var r = 0; r < rows.Count; r++)
                if (r != diagonal && (double.IsNaN(best.Rate) || rates[r][c] > best.Rate)) best = (rates[r][c], rows[r]);
            var flagged = diagonal >= 0 && !double.IsNaN(best.Rate) && best.Rate > white + o.MaskingMargin;
            flags.Add(new GradientMaskingFlag(columns[c], white, best.Rate, best.Row, flagged));
        }
        return new TransferMatrix(rows, columns, rates, flags, count, o.MaskingMargin);
    }

    /// <summary>
    /// Crafts with <paramref name="attack"/> on <paramref name="source"/> (untargeted, true <paramref name="labels"/>) and
    /// judges the adversarials on <paramref name="target"/>: the success rate is the share of samples the target
    /// misclassifies after the attack (as the paper counts it, whether or not it classified the clean sample correctly).
    /// The queries are the target's (one per sample).
    /// </summary>
    public static EvasionMetrics Transfer(IEvasionAttack<IDifferentiableClassifier> attack, IDifferentiableClassifier source, IClassifier target,
        Tensor inputs, Tensor labels, int batchSize = 512, CancellationToken cancellationToken = default) =>
        TransferPerSample(attack, source, target, inputs, labels, batchSize, cancellationToken).Metrics;

    /// <summary><see cref="Transfer"/>, with whether the target misclassifies each sample's adversarial.</summary>
    internal static (EvasionMetrics Metrics, bool[] Success) TransferPerSample(IEvasionAttack<IDifferentiableClassifier> attack, IDifferentiableClassifier source,
        IClassifier target, Tensor inputs, Tensor labels, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Guard.Positive(batchSize, nameof(batchSize));
        InputChecks.Inputs(inputs, target.Bounds, nameof(inputs));
        if (target.ClassCount != source.ClassCount)
            throw new ArgumentException($"The source has {source.ClassCount} classes, the target {target.ClassCount}.", nameof(target));
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var goal = AttackGoal.Untargeted(labels);
        using var crafted = attack.Run(source, inputs, goal, new RunOptions { BatchSize = batchSize }, cancellationToken);
        var adversarials = crafted.Adversarials.to(target.Device);
        var success = goal.IsSuccess(target.Predict(adversarials, batchSize).to(goal.Labels.device));
        var metrics = EvasionMetrics.Of(adversarials, inputs.to(target.Device).to_type(ScalarType.Float32), success.to(target.Device), inputs.shape[0], watch.Elapsed);
        return (metrics, success.cpu().data<bool>().ToArray());
    }

    private static double Judge(IClassifier model, Tensor adversarials, AttackGoal goal, int batchSize)
    {
        using var scope = NewDisposeScope();
        var predicted = model.Predict(adversarials.to(model.Device), batchSize).to(goal.Labels.device);
        return goal.IsSuccess(predicted).to_type(ScalarType.Float64).mean().item<double>();
    }

    private static (Tensor X, Tensor Y, int Count) Select(IReadOnlyList<TransferModel> models, LabeledData test, TransferEvaluationOptions o)
    {
        if (!o.OnlyCorrectlyClassified)
        {
            var n = Math.Min(o.Samples, test.Count);
            return (test.Features.narrow(0, 0, n), test.Labels.narrow(0, 0, n), n);
        }
        var chosen = new List<long>();
        var batch = Math.Max(o.Samples, 256);
        for (var start = 0; start < test.Count && chosen.Count < o.Samples; start += batch)
        {
            using var scope = NewDisposeScope();
            var len = Math.Min(batch, test.Count - start);
            var xs = test.Features.narrow(0, start, len);
            var ys = test.Labels.narrow(0, start, len);
            var ok = ones(len, dtype: ScalarType.Bool, device: ys.device);
            foreach (var m in models)
                ok = ok.logical_and(m.Model.Predict(xs.to(m.Model.Device), o.BatchSize).to(ys.device).eq(ys));
            foreach (var i in ok.nonzero().view(-1).cpu().data<long>())
            {
                if (chosen.Count == o.Samples) break;
                chosen.Add(start + i);
            }
        }
        if (chosen.Count == 0) throw new ArgumentException("No test sample is classified correctly by every model.", nameof(test));
        var index = tensor(chosen.ToArray(), device: test.Features.device);
        return (test.Features.index_select(0, index), test.Labels.index_select(0, index), chosen.Count);
    }
}
