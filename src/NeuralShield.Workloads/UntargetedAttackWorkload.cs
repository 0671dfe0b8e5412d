using NeuralShield.Attacks;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// A workload that runs one evasion attack through the library on a batch, away from the model's own predictions; the
/// subclass names the attack and writes the bare loop. Owns the model, the inputs and the labels.
/// </summary>
internal abstract class UntargetedAttackWorkload : Workload
{
    protected UntargetedAttackWorkload(Device device, TorchClassifier model, Tensor inputs) : base(device)
    {
        Model = model;
        X = inputs;
        using (no_grad()) OwnLabels = model.Module.forward(inputs).argmax(1);
    }

    /// <summary>The attacked model.</summary>
    protected TorchClassifier Model { get; }

    /// <summary>The inputs [N, 1, 28, 28].</summary>
    protected Tensor X { get; }

    /// <summary>The model's own predictions for <see cref="X"/>: the labels the attack moves away from.</summary>
    protected Tensor OwnLabels { get; }

    /// <summary>The attack <see cref="Library"/> runs.</summary>
    protected abstract IEvasionAttack<IDifferentiableClassifier> Attack { get; }

    public override void Library()
    {
        using var result = Attack.Run(Model, X, AttackGoal.Untargeted(OwnLabels));
        Synchronize();
    }

    public override void Dispose()
    {
        Model.Dispose();
        X.Dispose();
        OwnLabels.Dispose();
    }
}
