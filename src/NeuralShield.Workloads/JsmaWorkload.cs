using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Cuda;
using NeuralShield.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// One JSMA iteration (θ = +1, pairwise search over the 784 features, γ = 2/784: a one-iteration budget), targeted,
/// on LeNet-5. The bare side is the plain batched iteration: both gradients (∂F_t/∂x and ∂Σ_j F_j/∂x), every pair of
/// every sample scored (α·β over the n × n matrix, ten samples at a time), the best pair set to the bound.
/// </summary>
internal sealed class JsmaWorkload : Workload
{
    /// <summary>Samples whose n × n pair matrices the bare iteration forms at once (10 × 784² floats = 25 MB a temporary).</summary>
    public const int BareChunk = 10;

    private readonly TorchClassifier _model;
    private readonly Tensor _x;
    private readonly Tensor _targets;
    private readonly Jsma _jsma;
    private readonly JsmaOutput _output;

    public JsmaWorkload(Device device, int batch, JsmaOutput output) : base(device)
    {
        _model = LeNet(device);
        _x = Images(batch, device, scale: 0.5);
        _targets = Labels(batch, device);
        _output = output;
        _jsma = new Jsma(new JsmaOptions
        {
            Gamma = 2.0 / 784, Output = output,
            // Where --device cuda: blocks sized from the free device memory; on the CPU the 64 MiB default.
            PairSearchMemoryBytes = DeviceMemory.JsmaPairSearchBytes(device, 784),
        });
        What = $"one JSMA-{(output == JsmaOutput.Probabilities ? "F" : "Z")} iteration (pairwise, 784 features) on LeNet-5, batch {batch}";
    }

    public override void Library()
    {
        using var result = _jsma.Run(_model, _x, AttackGoal.Targeted(_targets));
        Synchronize();
    }

    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var b = _x.shape[0];
        const long n = 784;
        var leaf = _x.detach().requires_grad_(true);
        var logits = _model.Module.forward(leaf);
        var f = _output == JsmaOutput.Probabilities ? logits.softmax(1) : logits;
        var target = f.gather(1, _targets.unsqueeze(1)).sum();
        var targetGradient = autograd.grad([target], [leaf], retain_graph: true)[0].view(b, n);
        var allGradient = autograd.grad([f.sum()], [leaf])[0].view(b, n);
        using var noGrad = no_grad();
        var reached = logits.argmax(1).eq(_targets);
        var othersGradient = allGradient - targetGradient;
        var x = _x.view(b, n).clone();
        var domain = x.lt(1f);
        var offDiagonal = eye(n, dtype: ScalarType.Bool, device: x.device).logical_not();
        for (long s0 = 0; s0 < b; s0 += BareChunk)
        {
            using var chunk = NewDisposeScope();
            var c = Math.Min(BareChunk, b - s0);
            var a = targetGradient.narrow(0, s0, c);
            var o = othersGradient.narrow(0, s0, c);
            var d = domain.narrow(0, s0, c);
            var alpha = a.unsqueeze(2) + a.unsqueeze(1);
            var beta = o.unsqueeze(2) + o.unsqueeze(1);
            var admissible = alpha.gt(0f).logical_and_(beta.lt(0f)).logical_and_(d.unsqueeze(2).logical_and(d.unsqueeze(1))).logical_and_(offDiagonal);
            var score = (alpha * beta).neg_().masked_fill_(admissible.logical_not_(), 0f);
            var best = score.view(c, n * n).argmax(1);
            var p = best.div(n, rounding_mode: RoundingMode.floor);
            var q = best.remainder(n);
            var rows = x.narrow(0, s0, c);
            var keep = reached.narrow(0, s0, c).unsqueeze(1);
            var one = ones([c, 1], device: x.device);
            var changed = rows.scatter(1, p.unsqueeze(1), one).scatter_(1, q.unsqueeze(1), one);
            rows.copy_(where(keep, rows, changed));
        }
        Synchronize();
    }

    public override void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
        _targets.Dispose();
    }
}
