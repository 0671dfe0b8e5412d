using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// One pass of the universal perturbation's projected-gradient search (ξ = 0.1 L∞, α = ξ/20, κ = 1): a forward and
/// backward pass of the clamped margin per mini-batch, the sign step and projection of v, then the fooling rate on
/// the fitting images.
/// </summary>
internal sealed class UniversalWorkload : Workload
{
    private const double Xi = 0.1;
    private const double Alpha = Xi / 20;
    private const double Kappa = 1.0;
    private readonly TorchClassifier _model;
    private readonly Tensor _x;
    private readonly UniversalPerturbation _universal;
    private readonly int _batch;

    public UniversalWorkload(Device device, int images, int batch) : base(device)
    {
        _model = LeNet(device);
        _x = Images(images, device);
        _batch = batch;
        Steps = (images + batch - 1) / batch;
        _universal = new UniversalPerturbation(new UniversalPerturbationOptions
        {
            Search = UniversalSearch.ProjectedGradient, Xi = Xi, Norm = Norm.LInf, StepSize = Alpha, Epochs = 1,
            GradientBatchSize = batch, Kappa = Kappa, Delta = 0.2, Seed = 0,
        });
        What = $"universal perturbation, one projected-gradient pass over {images} images in batches of {batch}, LeNet-5";
    }

    public override void Library()
    {
        using var result = _universal.Fit(_model, _x);
        Synchronize();
    }

    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var module = _model.Module;
        var n = (int)_x.shape[0];
        Tensor clean;
        using (no_grad()) clean = module.forward(_x).argmax(1);
        var v = zeros([1, 28, 28], device: Device);
        var order = LabeledData.Permutation(n, 0, Device);
        for (var start = 0; start < n; start += _batch)
        {
            using var step = NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(_batch, n - start));
            var leaf = v.detach().requires_grad_(true);
            var logits = module.forward((_x.index_select(0, index) + leaf).clamp(0, 1));
            var own = clean.index_select(0, index).unsqueeze(1);
            var others = logits.scatter(1, own, full([own.shape[0], 1], float.NegativeInfinity, device: Device)).amax(1);
            var margin = (others - logits.gather(1, own).squeeze(1)).clamp_max(Kappa).sum();
            var g = autograd.grad([margin], [leaf])[0];
            using var noGrad = no_grad();
            v = (v + Alpha * g.sign()).clamp(-Xi, Xi).MoveToOuterDisposeScope();
        }
        using (no_grad())
        {
            var fooled = module.forward((_x + v).clamp(0, 1)).argmax(1).ne(clean).sum().item<long>();
            GC.KeepAlive(fooled);
        }
        Synchronize();
    }

    public override void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
    }
}
