using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// The training step of <see cref="AdversarialTraining"/>: J̃ = α·J(x, y) + (1 − α)·J(x_adv, y), with J the
/// cross-entropy and x_adv the inner attack's output on the current model (treated as a constant input). The inner
/// attack of training step k is the factory's attack for k (<see cref="StepContext.Step"/>).
/// </summary>
/// <remarks>
/// The inner attack sees the module being trained through a <see cref="TorchClassifier"/> that does not own it.
/// That wrapper puts the module in evaluation mode while the adversarials are crafted; the step then puts it back in
/// training mode for the loss. The zoo models have no dropout or batch normalisation, so both modes compute the same
/// function; for models that have them, the adversarials are crafted against the evaluation-mode network (the usual
/// practice). Any parameter gradients the attack may leave are cleared before the loss.
/// </remarks>
public sealed class AdversarialStep : LossStep
{
    private readonly Func<long, IEvasionAttack<IDifferentiableClassifier>> _attack;
    private readonly int _classCount;
    private readonly InputBounds _bounds;
    private readonly List<(long Succeeded, long Seen)> _perEpoch = [];

    /// <summary>Creates the step.</summary>
    /// <param name="attackFactory">The inner attack for each training step.</param>
    /// <param name="cleanWeight">α in [0, 1].</param>
    /// <param name="classCount">Classes of the model.</param>
    /// <param name="bounds">The input box.</param>
    public AdversarialStep(Func<long, IEvasionAttack<IDifferentiableClassifier>> attackFactory, double cleanWeight, int classCount, InputBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(attackFactory);
        Guard.InRange(cleanWeight, 0, 1, nameof(cleanWeight));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        _attack = attackFactory;
        CleanWeight = cleanWeight;
        _classCount = classCount;
        _bounds = bounds;
    }

    /// <summary>The weight α of the clean loss.</summary>
    public double CleanWeight { get; }

    /// <summary>The inner attack's success rate in each epoch so far (index 0 is epoch 1).</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates => _perEpoch.Select(e => e.Seen == 0 ? double.NaN : (double)e.Succeeded / e.Seen).ToArray();

    /// <inheritdoc />
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var epoch = context.Epoch - 1;
        while (_perEpoch.Count <= epoch) _perEpoch.Add((0, 0));
        var attack = _attack(context.Step) ?? throw new InvalidOperationException("The attack factory returned null.");

        Tensor adversarials;
        long? succeeded = null;
        var view = new TorchClassifier(model, _classCount, _bounds); // puts the module in evaluation mode
        try
        {
            if (attack is EvasionAttackBase<IDifferentiableClassifier> library)
            {
                // The library's attacks craft without their own success check: the adversarial logits below give it.
                adversarials = library.Craft(view, inputs, AttackGoal.Untargeted(labels), context.CancellationToken);
            }
            else
            {
                using var result = attack.Run(view, inputs, AttackGoal.Untargeted(labels), context.CancellationToken);
                adversarials = result.Adversarials.detach().clone();
                succeeded = result.Success.sum().item<long>();
            }
        }
        finally
        {
            model.train();
        }
        model.zero_grad();

        var adversarialLogits = model.forward(adversarials);
        succeeded ??= adversarialLogits.detach().argmax(1).ne(labels).sum().item<long>();
        _perEpoch[epoch] = (_perEpoch[epoch].Succeeded + succeeded.Value, _perEpoch[epoch].Seen + inputs.shape[0]);
        var adversarialLoss = nn.functional.cross_entropy(adversarialLogits, labels);
        if (CleanWeight == 0) return adversarialLoss;
        var cleanLoss = nn.functional.cross_entropy(model.forward(inputs), labels);
        return cleanLoss * CleanWeight + adversarialLoss * (1 - CleanWeight);
    }
}
