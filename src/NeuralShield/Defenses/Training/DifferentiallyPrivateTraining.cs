using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;
using NeuralShield.Privacy;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// Differentially private SGD — Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar, Zhang, "Deep Learning with
/// Differential Privacy", CCS 2016 (arXiv 1607.00133).
/// <para>
/// Procedure (Algorithm 1): for T steps, form a lot by including every record with probability q = L / N; compute
/// each record's gradient, clip it to L2 norm C, sum, add N(0, σ²C²I), divide by L and take a gradient step. The
/// update is <see cref="DpSgdStep"/>. Privacy is accounted with Rényi DP of the sampled Gaussian mechanism
/// (<see cref="RdpAccountant"/>, which supersedes the paper's moments accountant and gives the same or tighter ε).
/// T = epochs × round(N / L). When <see cref="DifferentiallyPrivateTrainingOptions.NoiseMultiplier"/> is null, σ is
/// the smallest that keeps the T steps within the target (ε, δ).
/// </para>
/// <para>
/// Lots: with <see cref="LotSampling.Poisson"/> the defense runs its own step loop (the trainer's fixed batches are not
/// Poisson): each step draws a Bernoulli(q) mask over the training set from a generator seeded by the training seed,
/// hands the lot to the step through a <see cref="StepContext"/> as the trainer would, and reports an epoch every
/// round(N / L) steps. With <see cref="LotSampling.Shuffled"/> the recipe's ordinary trainer runs the step on its
/// fixed-size batches.
/// </para>
/// <para>
/// Threat model: the guarantee bounds what any attacker — membership or attribute inference, with white-box access to
/// the final weights and knowledge of all other records — learns about one record; it counters inference attacks, not
/// evasion. The model must use no batch normalisation (it mixes samples).
/// </para>
/// </summary>
/// <param name="options">The settings; validated and copied.</param>
/// <param name="logger">Receives the trainers' messages.</param>
/// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
/// <exception cref="ArgumentException">No recipe was given, or it asks for early stopping.</exception>
public sealed class DifferentiallyPrivateTraining(DifferentiallyPrivateTrainingOptions options, ILogger? logger = null) : TrainingDefense<DifferentiallyPrivateTrainingOptions, DifferentiallyPrivateResult>(options, logger)
{
    /// <inheritdoc />
    public override DefenseDescriptor Descriptor => new(
        Settings.NoiseMultiplier is { } s ? $"DP-SGD (σ = {s}, C = {Settings.ClipNorm})" : $"DP-SGD (ε = {Settings.TargetEpsilon}, δ = {Settings.Delta}, C = {Settings.ClipNorm})",
        DefenseKind.Training, Papers.Abadi2016, [AttackFamily.Inference]);

    /// <inheritdoc />
    protected override ModelRecipe Recipe => Settings.Recipe;

    /// <summary>The steps T a run on <paramref name="trainCount"/> records takes, and its sampling rate q = L / N.</summary>
    public (long Steps, double SamplingRate) Schedule(int trainCount)
    {
        Guard.Positive(trainCount, nameof(trainCount));
        var t = Settings.Recipe.Training;
        var q = Math.Min(1.0, (double)t.BatchSize / trainCount);
        var perEpoch = Settings.Sampling == LotSampling.Poisson
            ? Math.Max(1, (long)Math.Round(1 / q))
            : (trainCount + t.BatchSize - 1) / t.BatchSize;
        return (perEpoch * t.Epochs, q);
    }

    /// <summary>The noise multiplier a run on <paramref name="trainCount"/> records uses (given, or calibrated to the target ε).</summary>
    public double NoiseMultiplierFor(int trainCount)
    {
        if (Settings.NoiseMultiplier is { } sigma) return sigma;
        var (steps, q) = Schedule(trainCount);
        return RdpAccountant.NoiseMultiplierFor(Settings.TargetEpsilon, q, steps, Settings.Delta, Settings.Orders);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The recipe's model holds parameters outside Linear and Conv2d layers.</exception>
    protected override DifferentiallyPrivateResult Harden(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Settings;
        using (var probe = o.Recipe.Create()) PerSampleGradients.Layers.Of(probe, nameof(DifferentiallyPrivateTrainingOptions.Recipe));
        var (steps, q) = Schedule(train.Count);
        var sigma = NoiseMultiplierFor(train.Count);
        var expected = q * train.Count;
        var accountant = new RdpAccountant(o.Orders);
        accountant.Step(q, sigma, steps);
        var privacy = accountant.GetPrivacySpent(o.Delta);
        Logger?.LogInformation("DP-SGD: q = {Q:G4}, σ = {Sigma:G4}, C = {C}, {Steps} steps → ε = {Epsilon:G4} at δ = {Delta:G3} (order {Order})",
            q, sigma, o.ClipNorm, steps, privacy.Epsilon, o.Delta, privacy.Order);
        TrainedModel model;
        if (o.Sampling == LotSampling.Shuffled)
        {
            model = Train(o.Recipe, new DpSgdStep(o.ClipNorm, sigma, null, o.NoiseSeed), train, validation, progress, 0, cancellationToken);
        }
        else
        {
            var step = new DpSgdStep(o.ClipNorm, sigma, expected, o.NoiseSeed);
            model = TrainPoisson(step, q, train, validation, progress, cancellationToken);
        }
        return Wrap(model, m => new DifferentiallyPrivateResult(m, privacy, sigma, o.ClipNorm, q, steps, o.Sampling));
    }

    /// <summary>The Poisson-sampled step loop: T = epochs × round(1/q) steps, a report every round(1/q) steps.</summary>
    private TrainedModel TrainPoisson(DpSgdStep step, double q, LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var recipe = Settings.Recipe;
        var options = recipe.Training;
        var module = recipe.Create();
        try
        {
            var parameters = module.parameters().ToList();
            var device = parameters[0].device;
            using var optimizer = options.Optimizer == OptimizerKind.Adam
                ? (optim.Optimizer)optim.Adam(parameters, lr: options.LearningRate, weight_decay: options.WeightDecay)
                : optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay);
            var stepsPerEpoch = (int)Math.Max(1, Math.Round(1 / q));
            var context = new StepContext(module, optimizer, options.Epochs, stepsPerEpoch, options.BatchSize, options.Seed) { CancellationToken = cancellationToken };
            using var sampler = new Generator(unchecked((ulong)options.Seed));
            var history = new List<EpochReport>();
            var watch = Stopwatch.StartNew();
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                module.train();
                context.Epoch = epoch;
                context.StepInEpoch = 0;
                double lossSum = 0;
                long seen = 0;
                for (var s = 0; s < stepsPerEpoch; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var mask = rand([train.Count], generator: sampler).lt(q);
                    var indices = mask.nonzero().flatten();
                    var x = train.Features.index_select(0, indices).to_type(ScalarType.Float32).to(device);
                    var y = train.Labels.index_select(0, indices).to_type(ScalarType.Int64).to(device);
                    var loss = step.Run(x, y, context);
                    if (!double.IsFinite(loss))
                        throw new InvalidOperationException(
                            $"The training loss became {loss} in epoch {epoch}, step {s + 1} of {stepsPerEpoch}: the weights are no longer usable. Lower the learning rate.");
                    lossSum += loss * x.shape[0];
                    seen += x.shape[0];
                    context.Step++;
                    context.StepInEpoch++;
                }
                module.eval();
                double? accuracy = validation is null ? null : NeuralShield.Training.ModelAccuracy.Of(module, validation, device);
                var report = new EpochReport(epoch, seen == 0 ? 0 : lossSum / seen, accuracy, watch.Elapsed);
                history.Add(report);
                progress?.Report(report);
                Logger?.LogInformation("DP-SGD epoch {Epoch}/{Epochs}: loss {Loss:F4}, validation accuracy {Accuracy}", epoch, options.Epochs, report.TrainLoss, accuracy);
            }
            module.eval();
            var record = new TrainingResult(history, history.Count, false, watch.Elapsed);
            return new TrainedModel(new TorchClassifier(module, train.ClassCount, recipe.Bounds, train.SampleShape, ownsModule: true), record);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
