using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>FGSM (one step) or PGD-k, L∞ ε = 0.3, α = 0.01 (FGSM: α = ε), no random start, on LeNet-5.</summary>
internal sealed class GradientDescentWorkload : Workload
{
    private const double Epsilon = 0.3;
    private readonly TorchClassifier _model;
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly IEvasionAttack<IDifferentiableClassifier> _attack;
    private readonly double _stepSize;

    public GradientDescentWorkload(Device device, int batch, int steps) : base(device)
    {
        _model = LeNet(device);
        _x = Images(batch, device);
        _y = Labels(batch, device);
        Steps = steps;
        _stepSize = steps == 1 ? Epsilon : 0.01;
        _attack = steps == 1
            ? new Fgsm(new FgsmOptions { Epsilon = Epsilon })
            : new Pgd(new PgdOptions { Epsilon = Epsilon, StepSize = _stepSize, Steps = steps, RandomStart = false });
        What = steps == 1 ? $"FGSM L∞ step on LeNet-5, batch {batch}" : $"PGD-{steps} L∞ on LeNet-5, batch {batch}";
    }

    public override void Library()
    {
        using var result = _attack.Run(_model, _x, AttackGoal.Untargeted(_y));
        Synchronize();
    }

    /// <summary>k × (forward, summed cross-entropy, input gradient, sign step, projection onto the ball and the box).</summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var module = _model.Module;
        var x = _x.clone();
        for (var i = 0; i < Steps; i++)
        {
            using var step = NewDisposeScope();
            var leaf = x.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(module.forward(leaf), _y, reduction: nn.Reduction.Sum);
            var grad = autograd.grad([loss], [leaf])[0];
            using var _ = no_grad();
            var next = minimum(maximum(x + _stepSize * grad.sign(), _x - Epsilon), _x + Epsilon).clamp(0, 1);
            x = next.MoveToOuterDisposeScope();
        }
        Synchronize();
    }

    public override void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
