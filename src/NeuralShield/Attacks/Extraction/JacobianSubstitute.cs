using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Extraction;

/// <summary>
/// Substitute training with Jacobian-based dataset augmentation — Papernot, McDaniel, Goodfellow, Jha, Celik, Swami,
/// "Practical Black-Box Attacks against Machine Learning", AsiaCCS 2017 (arXiv 1602.02697), Algorithm 1.
/// <para>
/// Threat model: the attacker sees only the oracle's label Õ(x) (the argmax of its probabilities), holds a small set of
/// inputs from the task's distribution (paper: 150 held-out MNIST test images) and knows nothing of the oracle's
/// architecture or training data. It trains a local substitute F on S_0 labelled by the oracle, then for ρ rounds
/// grows the set with S_{ρ+1} = S_ρ ∪ {x + λ_ρ·sign(J_F(x)[Õ(x)]) : x ∈ S_ρ}, the sign of the substitute's gradient of
/// the output of the oracle's label (the direction in which the substitute's decision changes most), labels the new
/// points with the oracle and retrains. Adversarial examples crafted on the substitute (FGSM ε = 0.3 in the paper) then
/// transfer to the oracle (<see cref="TransferEvaluation"/>).
/// </para>
/// <para>
/// Parameters with the paper's values: ρ = 6 rounds (<see cref="JacobianSubstituteOptions.Rounds"/>), λ = 0.1,
/// λ_ρ = λ·(−1)^⌊ρ/τ⌋ with τ = 3 (the reference tutorial's period), optional reservoir sampling (κ, σ), the
/// substitute retrained each round (or continued). With 150 seeds and 6 rounds the oracle answers 150·2⁵ = 4,800
/// queries; the paper reports 84.24% transfer against MetaMind's model after 6,400 queries.
/// </para>
/// <para>
/// Every oracle query is counted against the <see cref="QueryBudget"/>: the seeds must fit in it, and augmentation
/// stops (the result says so) before a round whose queries would exceed it. Works against any <see cref="IClassifier"/>
/// (a TorchSharp model, an ONNX session, a <see cref="Defenses.Detection.MonitoredClassifier"/>).
/// </para>
/// </summary>
public sealed class JacobianSubstitute : IExtractionAttack<JacobianSubstituteResult>
{
    private readonly JacobianSubstituteOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public JacobianSubstitute(JacobianSubstituteOptions? options = null) => _options = (options ?? new JacobianSubstituteOptions()).Validated();

    /// <summary>A copy of the settings.</summary>
    public JacobianSubstituteOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("Jacobian substitute", AttackFamily.Extraction, ModelAccess.LabelOnly, Papers.Papernot2017);

    /// <summary>
    /// λ_ρ, the signed step of the augmentation that follows round <paramref name="round"/>: λ·(−1)^⌊ρ/τ⌋, negated when
    /// <see cref="JacobianSubstituteOptions.FirstSign"/> is <see cref="SubstituteStepSign.Negative"/>.
    /// </summary>
    public double StepAfterRound(int round)
    {
        var lambda = _options.FirstSign == SubstituteStepSign.Negative ? -_options.Lambda : _options.Lambda;
        return (round / _options.SignPeriod) % 2 == 0 ? lambda : -lambda;
    }

    /// <summary>
    /// The most oracle queries a run from <paramref name="seeds"/> seeds makes with these settings: n·2^(ρ−1), or with
    /// reservoir sampling n·2^σ + κ·(ρ − 1 − σ).
    /// </summary>
    public long PlannedQueries(long seeds)
    {
        long total = seeds;
        for (var r = 0; r < _options.Rounds - 1; r++)
            total += _options.ReservoirSize is { } kappa && r >= _options.ReservoirStart ? Math.Min(kappa, total) : total;
        return total;
    }

    /// <inheritdoc />
    /// <param name="oracle">The model to copy; only its labels are used.</param>
    /// <param name="seedInputs">The attacker's initial inputs S_0 [n, ...] inside the oracle's bounds.</param>
    /// <param name="budget">The most samples that may be sent to the oracle; must cover the seeds.</param>
    /// <param name="options">Its logger receives a line per round.</param>
    /// <param name="cancellationToken">Checked between batches and rounds.</param>
    /// <exception cref="ArgumentException">The seeds are not a valid batch inside the oracle's bounds, or the budget does not cover them.</exception>
    /// <exception cref="InvalidOperationException">The oracle gave non-finite probabilities.</exception>
    public JacobianSubstituteResult Extract(IClassifier oracle, Tensor seedInputs, QueryBudget budget, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var progress = options?.Messages;
        ArgumentNullException.ThrowIfNull(oracle);
        InputChecks.Inputs(seedInputs, oracle.Bounds, nameof(seedInputs));
        if (budget.MaxQueries <= 0) throw new ArgumentOutOfRangeException(nameof(budget), budget.MaxQueries, "The query budget must be positive.");
        var n = seedInputs.shape[0];
        if (!budget.Allows(0, n))
            throw new ArgumentException($"The budget of {budget.MaxQueries} queries does not cover the {n} seed inputs, each of which the oracle must label.", nameof(budget));
        cancellationToken.ThrowIfCancellationRequested();

        var o = _options;
        var sampleShape = seedInputs.shape.Skip(1).ToArray();
        var recipe = o.Substitute ?? DefaultRecipe(sampleShape, oracle);
        var device = recipe.Device ?? CPU;
        long used = 0;

        Tensor inputs = seedInputs.detach().to(device).to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        Tensor labels;
        try
        {
            labels = Label(oracle, inputs, ref used, cancellationToken);
        }
        catch
        {
            inputs.Dispose();
            throw;
        }

        var rounds = new List<SubstituteRound>();
        TrainedModel? substitute = null;
        string? stopReason = null;
        using var reservoirGenerator = new Generator((ulong)o.Seed);
        try
        {
            for (var round = 0; round < o.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                substitute = Train(recipe, substitute, inputs, labels, oracle.ClassCount, cancellationToken);
                var agreement = Agreement(substitute.Classifier, inputs, labels);
                var evaluation = o.RoundEvaluation?.Invoke(substitute.Classifier);
                var size = (int)inputs.shape[0];
                var queriesSoFar = used;

                if (round < o.Rounds - 1)
                {
                    var parents = o.ReservoirSize is { } kappa && round >= o.ReservoirStart ? Math.Min(kappa, size) : size;
                    if (!budget.Allows(used, parents))
                    {
                        stopReason = $"augmentation stopped after round {round}: the next round needs {parents} oracle queries, " +
                                     $"{used} of the budget of {budget.MaxQueries} are spent";
                    }
                    else
                    {
                        var (grownInputs, grownLabels) = Augment(oracle, substitute.Classifier, inputs, labels, parents, StepAfterRound(round),
                            reservoirGenerator, ref used, cancellationToken);
                        inputs.Dispose();
                        labels.Dispose();
                        (inputs, labels) = (grownInputs, grownLabels);
                    }
                }
                rounds.Add(new SubstituteRound(round, size, queriesSoFar, agreement, evaluation, watch.Elapsed));
                progress?.Report($"round {round}: trained on {size} samples ({queriesSoFar} oracle queries so far), agreement with the oracle {agreement:P1}" +
                                 (evaluation is { } e ? $", evaluation {e:F4}" : ""));
                if (stopReason is not null)
                {
                    progress?.Report(stopReason);
                    break;
                }
            }
            // The last round's augmentation is never made, so the final training set is the one the substitute saw.
            return new JacobianSubstituteResult(substitute!, inputs, labels, used, budget, rounds, stopReason);
        }
        catch
        {
            substitute?.Dispose();
            inputs.Dispose();
            labels.Dispose();
            throw;
        }
    }

    private ModelRecipe DefaultRecipe(long[] sampleShape, IClassifier oracle)
    {
        var features = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        var classes = oracle.ClassCount;
        return new ModelRecipe
        {
            Architecture = seed => ModelZoo.Mlp(features, [200, 200], classes, Activation.ReLU, seed),
            Training = new TrainingOptions { Epochs = 10, BatchSize = 128, LearningRate = 1e-3, Seed = _options.Seed },
            Seed = _options.Seed,
            Device = oracle.Device,
            Bounds = oracle.Bounds,
        }.Validated();
    }

    /// <summary>The oracle's labels of <paramref name="x"/> (on x's device), counted against the budget by the caller's check.</summary>
    private Tensor Label(IClassifier oracle, Tensor x, ref long used, CancellationToken cancellationToken)
    {
        var n = x.shape[0];
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += _options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var len = Math.Min(_options.BatchSize, n - start);
                var batch = x.narrow(0, start, len);
                var onOracle = batch.device == oracle.Device ? batch : batch.to(oracle.Device);
                used += len;
                var predicted = oracle.Predict(onOracle, _options.BatchSize);
                var invalid = predicted.lt(0).sum().item<long>();
                if (invalid > 0)
                    throw new InvalidOperationException($"The oracle returned non-finite probabilities for {invalid} of {len} queries; its labels cannot train a substitute.");
                parts.Add(predicted.to(x.device).MoveToOuterDisposeScope());
            }
            return cat(parts, 0).DetachFromDisposeScope();
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    private TrainedModel Train(ModelRecipe recipe, TrainedModel? previous, Tensor inputs, Tensor labels, int classCount, CancellationToken cancellationToken)
    {
        using var data = new LabeledData(inputs.clone(), labels.clone(), classCount);
        if (_options.Training == SubstituteTraining.Continue && previous is not null)
        {
            var record = new Trainer(recipe.Training).Fit(previous.Classifier.Module, data, cancellationToken: cancellationToken);
            var continued = new TrainedModel(previous.Classifier, record);
            return continued;
        }
        var trained = recipe.Train(data, cancellationToken: cancellationToken);
        previous?.Dispose();
        return trained;
    }

    private double Agreement(IClassifier substitute, Tensor inputs, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var predicted = substitute.Predict(inputs, _options.BatchSize).to(labels.device);
        return predicted.eq(labels).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>S ∪ {x + λ·sign(∂F_Õ(x)/∂x)} for all x of S (or a reservoir draw of <paramref name="parents"/> of them), the new points labelled by the oracle.</summary>
    private (Tensor Inputs, Tensor Labels) Augment(IClassifier oracle, IDifferentiableClassifier substitute, Tensor inputs, Tensor labels, int parents,
        double step, Generator generator, ref long used, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var size = inputs.shape[0];
        Tensor x = inputs, y = labels;
        if (parents < size)
        {
            // A uniform draw of κ of the current points: the distribution reservoir sampling (Vitter's algorithm R) yields.
            var pick = randperm(size, generator: generator, dtype: ScalarType.Int64).narrow(0, 0, parents).to(inputs.device);
            x = inputs.index_select(0, pick);
            y = labels.index_select(0, pick);
        }
        var children = new List<Tensor>();
        for (long start = 0; start < parents; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var len = Math.Min(_options.BatchSize, parents - start);
            var xb = x.narrow(0, start, len);
            var yb = y.narrow(0, start, len).unsqueeze(1);
            AttackObjective objective = _options.Gradient == SubstituteGradient.Logits
                ? logits => logits.gather(1, yb).sum()
                : logits => logits.softmax(1).gather(1, yb).sum();
            using var gradients = InputGradient.Of(substitute, xb, objective);
            children.Add(oracle.Bounds.Clamp(xb + step * gradients.Gradient.sign()));
        }
        var grown = cat(children, 0);
        var newLabels = Label(oracle, grown, ref used, cancellationToken);
        using var _ = newLabels;
        return (cat([inputs, grown], 0).MoveToOuterDisposeScope(), cat([labels, newLabels], 0).MoveToOuterDisposeScope());
    }
}
