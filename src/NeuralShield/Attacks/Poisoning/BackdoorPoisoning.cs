namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// BadNets (Gu, Dolan-Gavitt, Garg 2017): the attacker who supplies part of the training set stamps a trigger on a
/// share of the training inputs of the other classes and relabels them as the target class. The trained model keeps
/// its clean accuracy but assigns triggered inputs to the target class. Threat model: write access to training data
/// (<see cref="ModelAccess.TrainingData"/>), no access to the model. Measure with
/// <see cref="Metrics.PoisoningMeasures.BackdoorSuccessRate"/> on triggered test inputs outside the target class.
/// </summary>
/// <param name="trigger">The trigger stamped on the poisoned inputs.</param>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class BackdoorPoisoning(BackdoorTrigger trigger, BackdoorOptions? options = null)
    : BackdoorAttack<BackdoorOptions>(trigger, options ?? new BackdoorOptions())
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("BadNets backdoor", AttackFamily.Poisoning, ModelAccess.TrainingData, Papers.Gu2017);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The target class does not exist, the samples do not fit the trigger, or the budget exceeds the points outside the target class.</exception>
    public override PoisonedData Poison(LabeledData clean, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        cancellationToken.ThrowIfCancellationRequested();
        var o = Settings;
        var chosen = Choose(clean, o.TargetClass, inTarget: false, o.Budget, o.Fraction, o.Seed);
        return PoisonedCopy(clean, chosen, Trigger, x => Trigger.Stamp(x), relabel: o.TargetClass, Descriptor.Name);
    }

    /// <summary>
    /// The rows a backdoor poisons, ascending: <paramref name="budget"/> rows (else <paramref name="fraction"/> of the
    /// target class's rows for a clean-label attack, <paramref name="inTarget"/>, or of all rows for BadNets, rounded)
    /// drawn with <paramref name="seed"/> from those of the target class (clean-label) or of the other classes (BadNets).
    /// </summary>
    internal static long[] Choose(LabeledData clean, int targetClass, bool inTarget, int? budget, double fraction, long seed)
    {
        if (targetClass >= clean.ClassCount)
            throw new ArgumentOutOfRangeException("TargetClass", targetClass, $"TargetClass must lie in [0, {clean.ClassCount}): the data have {clean.ClassCount} classes.");
        var labels = clean.Labels.cpu().data<long>().ToArray();
        var eligible = Enumerable.Range(0, labels.Length).Where(i => labels[i] == targetClass == inTarget).ToArray();
        var count = budget ?? (int)Math.Round(fraction * (inTarget ? eligible.Length : clean.Count), MidpointRounding.AwayFromZero);
        if (count > eligible.Length)
            throw new ArgumentException(inTarget
                ? $"The attack asks to poison {count} images but the target class has {eligible.Length}."
                : $"The attack asks to poison {count} points but only {eligible.Length} lie outside the target class.", nameof(clean));
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        random.Shuffle(eligible);
        return eligible.Take(count).Select(i => (long)i).Order().ToArray();
    }

    /// <summary>A copy of <paramref name="clean"/> where the rows <paramref name="chosen"/> go through <paramref name="transform"/> (and get label <paramref name="relabel"/> when given).</summary>
    internal static PoisonedData PoisonedCopy(LabeledData clean, long[] chosen, BackdoorTrigger trigger, Func<Tensor, Tensor> transform, int? relabel, string attack)
    {
        if (!clean.SampleShape.SequenceEqual(trigger.SampleShape))
            throw new ArgumentException($"The data's samples have shape [{string.Join(", ", clean.SampleShape)}] but the trigger's [{string.Join(", ", trigger.SampleShape)}].", nameof(clean));
        var features = clean.Features.clone();
        var labels = clean.Labels.clone();
        try
        {
            if (chosen.Length > 0)
            {
                using var scope = NewDisposeScope();
                var idx = tensor(chosen, device: features.device);
                var changed = transform(features.index_select(0, idx)).to(features.device);
                features.index_copy_(0, idx, changed);
                if (relabel is { } target) labels.index_fill_(0, idx, target);
            }
            var data = new LabeledData(features, labels, clean.ClassCount, clean.ClassNames, clean.FeatureNames);
            return new PoisonedData(data, chosen, attack);
        }
        catch
        {
            features.Dispose();
            labels.Dispose();
            throw;
        }
    }
}
