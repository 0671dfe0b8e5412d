using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// A backdoor trigger: a pattern that replaces the pixels under a mask, x' = (1 − m)·x + m·p, for samples of one
/// shape ([C, H, W] images, or any shape). The values are kept as plain arrays, so a trigger holds no native memory.
/// </summary>
public sealed class BackdoorTrigger
{
    private readonly float[] _pattern;
    private readonly float[] _mask;
    private readonly long[] _shape;

    /// <summary>A trigger of pattern <paramref name="pattern"/> under mask <paramref name="mask"/> (values in [0, 1]), both laid out as one sample of <paramref name="sampleShape"/>.</summary>
    /// <exception cref="ArgumentException">The arrays do not match the shape, or hold values that are not finite or a mask outside [0, 1].</exception>
    public BackdoorTrigger(IReadOnlyList<long> sampleShape, float[] pattern, float[] mask)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(mask);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0)) throw new ArgumentException("sampleShape must list positive sizes.", nameof(sampleShape));
        var size = sampleShape.Aggregate(1L, (a, b) => a * b);
        if (pattern.Length != size) throw new ArgumentException($"pattern must hold {size} values; got {pattern.Length}.", nameof(pattern));
        if (mask.Length != size) throw new ArgumentException($"mask must hold {size} values; got {mask.Length}.", nameof(mask));
        if (pattern.Any(v => !float.IsFinite(v))) throw new ArgumentException("pattern must be finite.", nameof(pattern));
        if (mask.Any(v => !(v >= 0 && v <= 1))) throw new ArgumentException("mask values must lie in [0, 1].", nameof(mask));
        if (mask.All(v => v == 0)) throw new ArgumentException("mask must cover at least one value.", nameof(mask));
        _shape = sampleShape.ToArray();
        _pattern = (float[])pattern.Clone();
        _mask = (float[])mask.Clone();
    }

    /// <summary>The per-sample shape the trigger applies to.</summary>
    public IReadOnlyList<long> SampleShape => _shape;

    /// <summary>Number of values the trigger covers (mask &gt; 0).</summary>
    public int CoveredValues => _mask.Count(v => v > 0);

    /// <summary>
    /// A solid square of <paramref name="size"/>×<paramref name="size"/> pixels of value <paramref name="value"/> in the
    /// bottom-right corner of [C, H, W] images, <paramref name="margin"/> pixels from the edges, in every channel (the
    /// BadNets MNIST "single pixel" trigger is size 1; the usual reproduction uses a few pixels).
    /// </summary>
    public static BackdoorTrigger Square(IReadOnlyList<long> sampleShape, int size = 3, float value = 1f, int margin = 1) =>
        Corner(sampleShape, size, margin, (_, _) => value);

    /// <summary>
    /// The BadNets "pattern" trigger: a <paramref name="size"/>×<paramref name="size"/> checkerboard of
    /// <paramref name="high"/> and <paramref name="low"/> in the bottom-right corner of [C, H, W] images (Gu et al. 2017, Fig. 3).
    /// </summary>
    public static BackdoorTrigger Checkerboard(IReadOnlyList<long> sampleShape, int size = 3, float high = 1f, float low = 0f, int margin = 1) =>
        Corner(sampleShape, size, margin, (r, c) => (r + c) % 2 == 0 ? high : low);

    private static BackdoorTrigger Corner(IReadOnlyList<long> sampleShape, int size, int margin, Func<int, int, float> value)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count != 3) throw new ArgumentException($"A corner trigger needs [C, H, W] samples; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        Guard.Positive(size, nameof(size));
        Guard.NonNegative(margin, nameof(margin));
        var (channels, height, width) = ((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]);
        if (size + margin > height || size + margin > width)
            throw new ArgumentOutOfRangeException(nameof(size), $"A {size}×{size} trigger {margin} pixels from the edge does not fit a {height}×{width} image.");
        var pattern = new float[channels * height * width];
        var mask = new float[pattern.Length];
        for (var ch = 0; ch < channels; ch++)
            for (var r = 0; r < size; r++)
                for (var c = 0; c < size; c++)
                {
                    var i = ch * height * width + (height - margin - size + r) * width + (width - margin - size + c);
                    pattern[i] = value(r, c);
                    mask[i] = 1;
                }
        return new BackdoorTrigger(sampleShape, pattern, mask);
    }

    /// <summary>The inputs [N, ...] with the trigger stamped on: a fresh float32 tensor on the inputs' device; the inputs are not changed.</summary>
    /// <exception cref="ArgumentException">The samples do not have the trigger's shape.</exception>
    public Tensor Stamp(Tensor inputs)
    {
        Guard.Batch(inputs, nameof(inputs));
        if (!inputs.shape.Skip(1).SequenceEqual(_shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", _shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        using var scope = NewDisposeScope();
        var shape = new long[] { 1 }.Concat(_shape).ToArray();
        var p = tensor(_pattern, shape, device: inputs.device);
        var m = tensor(_mask, shape, device: inputs.device);
        var x = inputs.to_type(ScalarType.Float32);
        return (x * (1 - m) + p * m).MoveToOuterDisposeScope();
    }
}

/// <summary>Settings of <see cref="BackdoorPoisoning"/>.</summary>
public sealed class BackdoorOptions : OptionsBase<BackdoorOptions>
{
    /// <summary>The class triggered inputs are to be assigned. Default 0.</summary>
    public int TargetClass { get; set; }

    /// <summary>Share of the whole training set to poison (taken from the other classes). Gu et al.'s MNIST runs: about 10%. Default 0.05. Ignored when <see cref="Budget"/> is set.</summary>
    public double Fraction { get; set; } = 0.05;

    /// <summary>The number of points to poison exactly; null: <see cref="Fraction"/>.</summary>
    public int? Budget { get; set; }

    /// <summary>Seed of the choice of points.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(TargetClass, nameof(TargetClass));
        Guard.InRange(Fraction, 0, 1, nameof(Fraction));
        if (Budget is { } b) Guard.NonNegative(b, nameof(Budget));
    }
}

/// <summary>
/// BadNets (Gu, Dolan-Gavitt, Garg 2017): the attacker who supplies part of the training set stamps a trigger on a
/// share of the training inputs of the other classes and relabels them as the target class. The trained model keeps
/// its clean accuracy but assigns triggered inputs to the target class. Threat model: write access to training data
/// (<see cref="ModelAccess.TrainingData"/>), no access to the model. Measure with
/// <see cref="Metrics.PoisoningMeasures.BackdoorSuccessRate"/> on triggered test inputs outside the target class.
/// </summary>
public sealed class BackdoorPoisoning : IPoisoningAttack<LabeledData, PoisonedData>
{
    private readonly BackdoorOptions _options;

    /// <summary>Creates the attack with <paramref name="trigger"/>; the options are validated and copied.</summary>
    public BackdoorPoisoning(BackdoorTrigger trigger, BackdoorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        Trigger = trigger;
        _options = (options ?? new BackdoorOptions()).Validated();
    }

    /// <summary>The trigger.</summary>
    public BackdoorTrigger Trigger { get; }

    /// <summary>A copy of the settings.</summary>
    public BackdoorOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("BadNets backdoor", AttackFamily.Poisoning, ModelAccess.TrainingData, PoisoningPapers.Gu2017);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The target class does not exist, the samples do not fit the trigger, or the budget exceeds the points outside the target class.</exception>
    public PoisonedData Poison(LabeledData clean, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        cancellationToken.ThrowIfCancellationRequested();
        var o = _options;
        if (o.TargetClass >= clean.ClassCount)
            throw new ArgumentOutOfRangeException(nameof(BackdoorOptions.TargetClass), o.TargetClass, $"TargetClass must lie in [0, {clean.ClassCount}): the data have {clean.ClassCount} classes.");
        var labels = clean.Labels.cpu().data<long>().ToArray();
        var eligible = Enumerable.Range(0, labels.Length).Where(i => labels[i] != o.TargetClass).ToArray();
        var count = o.Budget ?? (int)Math.Round(o.Fraction * clean.Count, MidpointRounding.AwayFromZero);
        if (count > eligible.Length)
            throw new ArgumentException($"The attack asks to poison {count} points but only {eligible.Length} lie outside the target class.", nameof(clean));
        var random = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
        random.Shuffle(eligible);
        var chosen = eligible.Take(count).Select(i => (long)i).Order().ToArray();
        return PoisonedCopy(clean, chosen, Trigger, x => Trigger.Stamp(x), relabel: o.TargetClass, Descriptor.Name);
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

/// <summary>Settings of <see cref="CleanLabelBackdoor"/>.</summary>
public sealed class CleanLabelBackdoorOptions : OptionsBase<CleanLabelBackdoorOptions>
{
    /// <summary>The class whose images are poisoned (with their labels kept) and to which triggered inputs are to be assigned. Default 0.</summary>
    public int TargetClass { get; set; }

    /// <summary>Share of the target class's training images to poison. Turner et al. poison a share of one class's images (CIFAR-10). Default 0.5. Ignored when <see cref="Budget"/> is set.</summary>
    public double Fraction { get; set; } = 0.5;

    /// <summary>The number of target-class images to poison exactly; null: <see cref="Fraction"/>.</summary>
    public int? Budget { get; set; }

    /// <summary>L∞ radius of the PGD perturbation on the surrogate. Turner et al.: 8, 16 or 32 on 0–255 CIFAR pixels; default 0.3 for MNIST in [0, 1] (Madry et al.'s budget).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>PGD step size. Default 0.01 (Madry et al.'s MNIST step).</summary>
    public double StepSize { get; set; } = 0.01;

    /// <summary>PGD steps. Default 40.</summary>
    public int Steps { get; set; } = 40;

    /// <summary>Seed of the choice of images and of PGD's random start.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(TargetClass, nameof(TargetClass));
        Guard.InRange(Fraction, 0, 1, nameof(Fraction));
        if (Budget is { } b) Guard.NonNegative(b, nameof(Budget));
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.PositiveFloat32(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
    }
}

/// <summary>
/// The clean-label (label-consistent) backdoor of Turner, Tsipras and Madry 2019: the attacker may only add correctly
/// labelled images, so it takes images of the target class, makes them hard to classify by an untargeted L∞ PGD
/// perturbation against a surrogate model it trained itself (<see cref="Pgd"/>), stamps the trigger on them and keeps
/// their labels. A model that cannot learn these images from their content learns the trigger instead. Threat model:
/// write access to training inputs, not labels; white-box access to the attacker's own surrogate only.
/// </summary>
public sealed class CleanLabelBackdoor : IPoisoningAttack<LabeledData, PoisonedData>
{
    private readonly CleanLabelBackdoorOptions _options;
    private readonly IDifferentiableClassifier _surrogate;

    /// <summary>Creates the attack; the options are validated and copied; the surrogate is not owned.</summary>
    public CleanLabelBackdoor(BackdoorTrigger trigger, IDifferentiableClassifier surrogate, CleanLabelBackdoorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(surrogate);
        Trigger = trigger;
        _surrogate = surrogate;
        _options = (options ?? new CleanLabelBackdoorOptions()).Validated();
    }

    /// <summary>The trigger.</summary>
    public BackdoorTrigger Trigger { get; }

    /// <summary>A copy of the settings.</summary>
    public CleanLabelBackdoorOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("Clean-label backdoor", AttackFamily.Poisoning, ModelAccess.TrainingData, PoisoningPapers.Turner2019);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The target class does not exist or the budget exceeds its images.</exception>
    public PoisonedData Poison(LabeledData clean, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        cancellationToken.ThrowIfCancellationRequested();
        var o = _options;
        if (o.TargetClass >= clean.ClassCount)
            throw new ArgumentOutOfRangeException(nameof(CleanLabelBackdoorOptions.TargetClass), o.TargetClass, $"TargetClass must lie in [0, {clean.ClassCount}): the data have {clean.ClassCount} classes.");
        if (_surrogate.ClassCount != clean.ClassCount)
            throw new ArgumentException($"The surrogate has {_surrogate.ClassCount} classes but the data {clean.ClassCount}.", nameof(clean));
        var labels = clean.Labels.cpu().data<long>().ToArray();
        var eligible = Enumerable.Range(0, labels.Length).Where(i => labels[i] == o.TargetClass).ToArray();
        var count = o.Budget ?? (int)Math.Round(o.Fraction * eligible.Length, MidpointRounding.AwayFromZero);
        if (count > eligible.Length)
            throw new ArgumentException($"The attack asks to poison {count} images but the target class has {eligible.Length}.", nameof(clean));
        var random = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
        random.Shuffle(eligible);
        var chosen = eligible.Take(count).Select(i => (long)i).Order().ToArray();
        var pgd = new Pgd(new PgdOptions { Epsilon = o.Epsilon, StepSize = o.StepSize, Steps = o.Steps, RandomStart = true, Seed = o.Seed });
        return BackdoorPoisoning.PoisonedCopy(clean, chosen, Trigger, x =>
        {
            using var y = full(x.shape[0], (long)o.TargetClass, ScalarType.Int64, device: x.device);
            using var result = pgd.Run(_surrogate, x, AttackGoal.Untargeted(y), new RunOptions { BatchSize = 500 }, cancellationToken);
            return Trigger.Stamp(result.Adversarials);
        }, relabel: null, Descriptor.Name);
    }
}
