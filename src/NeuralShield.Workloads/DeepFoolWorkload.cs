using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>DeepFool L2 (overshoot 0.02, 10 candidate classes), at most k iterations, away from the model's own predictions.</summary>
internal sealed class DeepFoolWorkload : UntargetedAttackWorkload
{
    private const int Candidates = 10;
    private const double Overshoot = 0.02;
    private readonly DeepFool _deepFool;

    protected override IEvasionAttack<IDifferentiableClassifier> Attack => _deepFool;

    public DeepFoolWorkload(Device device, int batch, int iterations) : base(device, LeNet(device), Images(batch, device))
    {
        Steps = iterations;
        _deepFool = new DeepFool(new DeepFoolOptions { MaxIterations = iterations, Overshoot = Overshoot, CandidateClasses = Candidates });
        What = $"DeepFool L2, at most {iterations} iterations, LeNet-5, batch {batch}";
    }

    /// <summary>
    /// Per iteration, on the samples not yet fooled: one forward pass, k − 1 gradients of f_k − f_label, the closest
    /// linearised boundary, the step toward it (+10⁻⁴), the clamped point, and one forward pass for the label check.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var module = Model.Module;
        var start = X;
        var logits = module.forward(start);
        var ranked = logits.masked_fill(nn.functional.one_hot(OwnLabels, 10).to_type(ScalarType.Bool), float.PositiveInfinity);
        var candidates = ranked.argsort(1, descending: true).narrow(1, 0, Candidates).contiguous();
        var active = logits.argmax(1).eq(OwnLabels);
        var total = zeros_like(start);
        var current = start.clone();
        for (var iteration = 0; iteration < Steps; iteration++)
        {
            using var step = NewDisposeScope();
            var index = active.nonzero().squeeze(1);
            if (index.numel() == 0) break;
            var m = index.shape[0];
            var point = current.index_select(0, index);
            var chosen = candidates.index_select(0, index);
            var own = chosen.narrow(1, 0, 1);
            var gradients = new Tensor[Candidates - 1];
            Tensor pointLogits;
            using (enable_grad())
            {
                var leaf = point.detach().requires_grad_(true);
                var z = module.forward(leaf);
                var zOwn = z.gather(1, own);
                for (var j = 0; j < Candidates - 1; j++)
                    gradients[j] = autograd.grad([(z.gather(1, chosen.narrow(1, j + 1, 1)) - zOwn).sum()], [leaf], retain_graph: j < Candidates - 2)[0];
                pointLogits = z.detach();
            }
            var f = pointLogits.gather(1, chosen);
            var differences = f.narrow(1, 1, Candidates - 1) - f.narrow(1, 0, 1);
            var w = stack(gradients, 1).flatten(2);
            var distance = differences.abs() / w.norm(2, false, 2.0f).clamp_min(1e-12);
            var closest = distance.argmin(1, keepdim: true);
            var pert = distance.gather(1, closest).squeeze(1);
            var wl = w.gather(1, closest.unsqueeze(2).expand(-1, 1, w.shape[2])).squeeze(1);
            var direction = wl / wl.norm(1, true).clamp_min(1e-12);
            var r = (pert + DeepFoolSearch.StepFloor).unsqueeze(1) * direction;
            total.index_add_(0, index, r.view(m, 1, 28, 28), 1);
            var next = (start.index_select(0, index) + (1 + Overshoot) * total.index_select(0, index)).clamp(0, 1);
            current.index_copy_(0, index, next);
            var changed = module.forward(next).argmax(1).ne(OwnLabels.index_select(0, index));
            active.index_copy_(0, index, changed.logical_not());
        }
        Synchronize();
    }
}
