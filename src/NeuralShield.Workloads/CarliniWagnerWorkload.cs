using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// Carlini–Wagner L2 (κ = 0, c = 10⁻³): one binary-search step of k Adam iterations without early abort on LeNet-5, away
/// from the model's own predictions.
/// </summary>
internal sealed class CarliniWagnerWorkload : UntargetedAttackWorkload
{
    private const double Const = 1e-3, LearningRate = 1e-2;
    private readonly CarliniWagnerL2 _attack;

    protected override IEvasionAttack<IDifferentiableClassifier> Attack => _attack;

    public CarliniWagnerWorkload(Device device, int batch, int iterations) : base(device, LeNet(device), Images(batch, device))
    {
        Steps = iterations;
        _attack = new CarliniWagnerL2(new CarliniWagnerOptions
        {
            BinarySearchSteps = 1, MaxIterations = iterations, InitialConst = Const, LearningRate = LearningRate, AbortEarly = false,
        });
        What = $"C&W L2, 1 binary-search step x {iterations} Adam iterations, LeNet-5, batch {batch}";
    }

    /// <summary>
    /// Per iteration: x′ = ½·tanh(w) + ½, one forward and one backward pass of ‖x′ − x‖² + c·max(Z_y − max_{j≠y} Z_j, 0)
    /// with respect to w, the best successful point per sample, and torch's Adam step.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var module = Model.Module;
        var w0 = ((X * 2 - 1).clamp(-1, 1) * 0.999999).atanh();
        var w = new TorchSharp.Modules.Parameter(w0.clone());
        using var adam = optim.Adam([w], LearningRate);
        var mask = nn.functional.one_hot(OwnLabels, 10).to_type(ScalarType.Bool);
        var bestL2 = full(X.shape[0], float.PositiveInfinity, device: X.device);
        var best = X.clone();
        for (var i = 0; i < Steps; i++)
        {
            using var step = NewDisposeScope();
            adam.zero_grad();
            using var enable = enable_grad();
            var adv = w.tanh() * 0.5 + 0.5;
            var z = module.forward(adv);
            var own = z.masked_select(mask);
            var other = z.masked_fill(mask, float.NegativeInfinity).amax(1);
            var l2 = (adv - X).square().flatten(1).sum(1);
            var loss = l2.sum() + (Const * (own - other).clamp_min(0)).sum();
            loss.backward();
            using (no_grad())
            {
                var improved = other.gt(own).logical_and(l2.lt(bestL2));
                bestL2 = where(improved, l2, bestL2).MoveToOuterDisposeScope();
                best = where(improved.view(-1, 1, 1, 1), adv, best).MoveToOuterDisposeScope();
            }
            adam.step();
        }
        Synchronize();
    }
}
