using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// The clean-label (label-consistent) backdoor of Turner, Tsipras and Madry 2019: the attacker may only add correctly
/// labelled images, so it takes images of the target class, makes them hard to classify by an untargeted L∞ PGD
/// perturbation against a surrogate model it trained itself (<see cref="Pgd"/>), stamps the trigger on them and keeps
/// their labels. A model that cannot learn these images from their content learns the trigger instead. Threat model:
/// write access to training inputs, not labels; white-box access to the attacker's own surrogate only.
/// </summary>
public sealed class CleanLabelBackdoor : BackdoorAttack<CleanLabelBackdoorOptions>
{
    private readonly IDifferentiableClassifier _surrogate;

    /// <summary>Creates the attack; the options are validated and copied; the surrogate is not owned.</summary>
    public CleanLabelBackdoor(BackdoorTrigger trigger, IDifferentiableClassifier surrogate, CleanLabelBackdoorOptions? options = null)
        : base(trigger, options ?? new CleanLabelBackdoorOptions()) =>
        _surrogate = surrogate ?? throw new ArgumentNullException(nameof(surrogate));

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Clean-label backdoor", AttackFamily.Poisoning, ModelAccess.TrainingData, Papers.Turner2019);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The target class does not exist or the budget exceeds its images.</exception>
    public override PoisonedData Poison(LabeledData clean, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        cancellationToken.ThrowIfCancellationRequested();
        var o = Settings;
        if (o.TargetClass < clean.ClassCount && _surrogate.ClassCount != clean.ClassCount)
            throw new ArgumentException($"The surrogate has {_surrogate.ClassCount} classes but the data {clean.ClassCount}.", nameof(clean));
        var chosen = BackdoorPoisoning.Choose(clean, o.TargetClass, inTarget: true, o.Budget, o.Fraction, o.Seed);
        var pgd = new Pgd(new PgdOptions { Epsilon = o.Epsilon, StepSize = o.StepSize, Steps = o.Steps, RandomStart = true, Seed = o.Seed });
        return BackdoorPoisoning.PoisonedCopy(clean, chosen, Trigger, x =>
        {
            using var y = full(x.shape[0], (long)o.TargetClass, ScalarType.Int64, device: x.device);
            using var result = pgd.Run(_surrogate, x, AttackGoal.Untargeted(y), new RunOptions { BatchSize = options?.BatchSize ?? 500, Logger = options?.Logger }, cancellationToken);
            return Trigger.Stamp(result.Adversarials);
        }, relabel: null, Descriptor.Name);
    }
}
