namespace NeuralShield.Attacks.Poisoning;

/// <summary>Settings of <see cref="OnlinePoisoning"/>.</summary>
public sealed class OnlinePoisoningOptions : OptionsBase<OnlinePoisoningOptions>
{
    /// <summary>Sources the attacker controls (a coordinated group, e.g. sock-puppet accounts). Default 4.</summary>
    public int AttackerSources { get; set; } = 4;

    /// <summary>Poisoned points each attacker source sends per round. Default 8.</summary>
    public int PointsPerSource { get; set; } = 8;

    /// <summary>Honest sources sending clean data. Default 4.</summary>
    public int CleanSources { get; set; } = 4;

    /// <summary>Clean points each honest source sends per round. Default 32.</summary>
    public int CleanBatchSize { get; set; } = 32;

    /// <summary>The attacker stops after sending this many poisoned points. Default 2048.</summary>
    public int MaxPoisonedPoints { get; set; } = 2048;

    /// <summary>Half-width of the uniform L∞ jitter around the target input that makes the poisoned points distinct. Default 0.05.</summary>
    public double Jitter { get; set; } = 0.05;

    /// <summary>Seed of the jitter and of the clean stream's order.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(AttackerSources, nameof(AttackerSources));
        Guard.Positive(PointsPerSource, nameof(PointsPerSource));
        Guard.NonNegative(CleanSources, nameof(CleanSources));
        Guard.Positive(CleanBatchSize, nameof(CleanBatchSize));
        Guard.Positive(MaxPoisonedPoints, nameof(MaxPoisonedPoints));
        Guard.NonNegative(Jitter, nameof(Jitter));
    }
}

/// <summary>The setting an on-line poisoning attack runs in: the learner, the honest traffic and the attacker's aim.</summary>
/// <param name="Learner">The deployed model that keeps learning (its guards are the defenses); it is updated in place.</param>
/// <param name="CleanStream">The honest sources' data, sent in a seeded order and cycled.</param>
/// <param name="TargetInput">The input [1, ...] the attacker wants misclassified.</param>
/// <param name="AttackerLabel">The class the attacker wants for it.</param>
public sealed record OnlineScenario(OnlineLearner Learner, LabeledData CleanStream, Tensor TargetInput, int AttackerLabel);

/// <summary>The outcome of an on-line poisoning run.</summary>
/// <param name="PoisonedPointsSent">Poisoned points sent until the target behaviour appeared (or all that were sent, when it never did).</param>
/// <param name="Flipped">Whether the target input came to be classified as the attacker's label.</param>
/// <param name="Rounds">Rounds of traffic (every source sends once per round).</param>
/// <param name="CleanPointsSent">Clean points sent meanwhile.</param>
/// <param name="PoisonedPointsAdmitted">Poisoned points the guards let through to an update.</param>
/// <param name="UpdatesKept">Updates the learner made and kept during the run (from clean and poisoned points alike).</param>
public sealed record OnlinePoisoningResult(long PoisonedPointsSent, bool Flipped, int Rounds, long CleanPointsSent, long PoisonedPointsAdmitted, long UpdatesKept);

/// <summary>
/// On-line poisoning of a model that keeps learning from its users (the Tay case of survey §4.1): a coordinated group
/// of sources sends points near one target input (the target plus a small uniform jitter) labelled with the attacker's
/// class, interleaved with honest traffic, round after round, until the learner classifies the target input as the
/// attacker's class or the attacker's budget is spent. The result is how many poisoned points that took. Threat
/// model: the attacker controls some of the sources that feed the learner and observes the learner's label for the
/// target input (a black-box query after each of its batches); it knows nothing of the model.
/// </summary>
public sealed class OnlinePoisoning : IPoisoningAttack<OnlineScenario, OnlinePoisoningResult>
{
    private readonly OnlinePoisoningOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public OnlinePoisoning(OnlinePoisoningOptions? options = null) => _options = (options ?? new OnlinePoisoningOptions()).Validated();

    /// <summary>A copy of the settings.</summary>
    public OnlinePoisoningOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("On-line poisoning", AttackFamily.Poisoning, ModelAccess.TrainingData, null);

    /// <summary>Runs the attack against the scenario's learner (which it updates) and reports when the target flipped.</summary>
    /// <exception cref="ArgumentException">The target input does not fit the learner or the label is not a class.</exception>
    public OnlinePoisoningResult Poison(OnlineScenario clean, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(clean.Learner);
        ArgumentNullException.ThrowIfNull(clean.CleanStream);
        var learner = clean.Learner;
        var model = learner.Classifier;
        InputChecks.Inputs(clean.TargetInput, model.Bounds, nameof(clean.TargetInput));
        if (clean.TargetInput.shape[0] != 1) throw new ArgumentException("TargetInput must be one input [1, ...].", nameof(clean));
        if (clean.AttackerLabel < 0 || clean.AttackerLabel >= model.ClassCount)
            throw new ArgumentException($"AttackerLabel must lie in [0, {model.ClassCount}).", nameof(clean));
        var o = _options;
        using var target = clean.TargetInput.to(model.Device).to_type(ScalarType.Float32);
        using var generator = new Generator((ulong)o.Seed);
        using var order = LabeledData.Permutation(clean.CleanStream.Count, o.Seed, CPU);
        var orderArray = order.data<long>().ToArray();
        var cursor = 0;
        long sent = 0, cleanSent = 0, admitted = 0, kept = 0;
        var rounds = 0;
        if (Flipped(model, target, clean.AttackerLabel)) return new(0, true, 0, 0, 0, 0);
        while (sent < o.MaxPoisonedPoints)
        {
            rounds++;
            for (var s = 0; s < Math.Max(o.CleanSources, o.AttackerSources); s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (s < o.CleanSources)
                {
                    using var scope = NewDisposeScope();
                    var take = Math.Min(o.CleanBatchSize, clean.CleanStream.Count);
                    var rows = new long[take];
                    for (var i = 0; i < take; i++) rows[i] = orderArray[(cursor + i) % orderArray.Length];
                    cursor = (cursor + take) % orderArray.Length;
                    var idx = tensor(rows, device: clean.CleanStream.Features.device);
                    kept += learner.Submit($"user{s}", clean.CleanStream.Features.index_select(0, idx), clean.CleanStream.Labels.index_select(0, idx), cancellationToken).UpdatesApplied;
                    cleanSent += take;
                }
                if (s < o.AttackerSources && sent < o.MaxPoisonedPoints)
                {
                    using var scope = NewDisposeScope();
                    var n = (int)Math.Min(o.PointsPerSource, o.MaxPoisonedPoints - sent);
                    var jitter = (rand([n, .. target.shape.Skip(1)], generator: generator) * 2 - 1) * o.Jitter;
                    var points = (target.cpu() + jitter).clamp(model.Bounds.Lower, model.Bounds.Upper);
                    var labels = full(n, (long)clean.AttackerLabel, ScalarType.Int64);
                    var update = learner.Submit($"attacker{s}", points, labels, cancellationToken);
                    sent += n;
                    admitted += update.Admitted;
                    kept += update.UpdatesApplied;
                    if (Flipped(model, target, clean.AttackerLabel)) return new(sent, true, rounds, cleanSent, admitted, kept);
                }
            }
            if (Flipped(model, target, clean.AttackerLabel)) return new(sent, true, rounds, cleanSent, admitted, kept);
        }
        return new(sent, false, rounds, cleanSent, admitted, kept);
    }

    private static bool Flipped(Models.IClassifier model, Tensor target, int label)
    {
        using var p = model.PredictProbabilities(target);
        using var am = p.argmax(1);
        return am.item<long>() == label;
    }
}
