namespace NeuralShield.Attacks.Poisoning;

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
    public OnlinePoisoningResult Poison(OnlineScenario clean, RunOptions? options = null, CancellationToken cancellationToken = default)
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
