using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// HopSkipJump L2 (the authors' settings: γ = 1, 100·√t probes, 100 random tries for the start), k iterations on LeNet-5
/// (untrained, without biases, on x − ½: see <see cref="CentredLeNet"/>) with a budget that never ends the run, away from
/// the model's own predictions: label-only queries in every phase (about 2,400 per sample for 10 iterations).
/// </summary>
internal sealed class HopSkipJumpWorkload : UntargetedAttackWorkload
{
    private const int Tries = 100, Probes = 100, MaxHalvings = 30;
    private readonly HopSkipJump _attack;

    protected override IEvasionAttack<IDifferentiableClassifier> Attack => _attack;

    public HopSkipJumpWorkload(Device device, int batch, int iterations) : base(device, CentredLeNet(device), Images(batch, device))
    {
        Steps = iterations;
        _attack = new HopSkipJump(new HopSkipJumpOptions { MaxIterations = iterations, MaxQueries = 1_000_000, InitialEvaluations = Probes, InitialTries = Tries });
        What = $"HopSkipJump L2, {iterations} iterations (100·√t probes each), LeNet-5, batch {batch}";
    }

    /// <summary>
    /// The same phases on the whole batch without budgets: a start among 100 uniform points, a blend search (gap 10⁻³),
    /// the binary search to the boundary (θ = d^{-3/2}); per iteration t, 100·√t Gaussian probes at radius δ_t, the
    /// baseline-corrected mean direction, the step ξ = dist/√t halved until adversarial, and the binary search again.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var module = Model.Module;
        var n = X.shape[0];
        var d = X[0].numel();
        var theta = 1.0 / (d * Math.Sqrt(d));
        Tensor Adversarial(Tensor points, Tensor owners)
        {
            using var _ = no_grad();
            return module.forward(points).argmax(1).ne(OwnLabels.index_select(0, owners));
        }
        // Bisection of the blend x + α(p − x) on α ∈ [0, 1] down to the gap: the adversarial end.
        Tensor Bisect(Tensor x, Tensor p, Tensor owners, double gap)
        {
            var low = zeros(x.shape[0], device: x.device);
            var high = ones_like(low);
            while (true)
            {
                var running = (high - low).gt(gap).nonzero().squeeze(1);
                if (running.numel() == 0) break;
                var mid = (high.index_select(0, running) + low.index_select(0, running)) / 2;
                var xs = x.index_select(0, running);
                var ok = Adversarial(xs + mid.view(-1, 1, 1, 1) * (p.index_select(0, running) - xs), owners.index_select(0, running));
                high = high.index_copy(0, running, where(ok, mid, high.index_select(0, running)));
                low = low.index_copy(0, running, where(ok, low.index_select(0, running), mid));
            }
            return x + high.view(-1, 1, 1, 1) * (p - x);
        }

        var all = arange(n, device: X.device);
        var points = X.clone();
        var found = zeros(n, dtype: ScalarType.Bool, device: X.device);
        for (var i = 0; i < Tries && !found.all().item<bool>(); i++)
        {
            var at = found.logical_not().nonzero().squeeze(1);
            var noise = rand([at.shape[0], 1, 28, 28], generator: generator).to(X.device);
            var ok = Adversarial(noise, at);
            points.index_copy_(0, at.masked_select(ok), noise.index_select(0, ok.nonzero().squeeze(1)));
            found.index_fill_(0, at.masked_select(ok), true);
        }
        var live = found.nonzero().squeeze(1);
        var x = X.index_select(0, live);
        var current = Bisect(x, Bisect(x, points.index_select(0, live), live, 1e-3), live, theta);
        var distance = (current - x).flatten(1).norm(1, false, 2.0f);
        for (var t = 1; t <= Steps && live.numel() > 0; t++)
        {
            var m = live.shape[0];
            var probes = (int)Math.Min(Probes * Math.Sqrt(t), 10_000);
            var delta = t == 1 ? full(m, 0.1f, device: X.device) : distance * (float)(Math.Sqrt(d) * theta);
            var u = randn([m, probes, d], generator: generator).to(X.device);
            u /= u.norm(2, true, 2.0f).clamp_min(1e-12);
            var centre = current.flatten(1).unsqueeze(1);
            var probed = (centre + delta.view(m, 1, 1) * u).clamp(0, 1);
            var phi = Adversarial(probed.view(m * probes, 1, 28, 28), live.repeat_interleave(probes)).to_type(ScalarType.Float32).view(m, probes) * 2 - 1;
            var mean = phi.mean([1], keepdim: true);
            var weights = where(mean.abs().eq(1), phi, phi - mean);
            var gradient = (weights.unsqueeze(2) * ((probed - centre) / delta.view(m, 1, 1))).mean([1]);
            var direction = (gradient / gradient.norm(1, true, 2.0f).clamp_min(1e-12)).view(current.shape);
            var xi = distance / (float)Math.Sqrt(t);
            var accepted = zeros(m, dtype: ScalarType.Bool, device: X.device);
            for (var h = 0; h < MaxHalvings && !accepted.all().item<bool>(); h++)
            {
                var pending = accepted.logical_not().nonzero().squeeze(1);
                var step = xi.index_select(0, pending);
                var ok = Adversarial((current.index_select(0, pending) + step.view(-1, 1, 1, 1) * direction.index_select(0, pending)).clamp(0, 1), live.index_select(0, pending));
                accepted = accepted.index_copy(0, pending, ok);
                xi = xi.index_copy(0, pending, where(ok, step, step / 2));
            }
            var keep = accepted.nonzero().squeeze(1);
            live = live.index_select(0, keep);
            x = x.index_select(0, keep);
            var stepped = (current + xi.view(-1, 1, 1, 1) * direction).clamp(0, 1).index_select(0, keep);
            current = Bisect(x, stepped, live, theta);
            distance = (current - x).flatten(1).norm(1, false, 2.0f);
        }
        Synchronize();
    }

    /// <summary>
    /// An untrained LeNet-5 answers one class on every uniform image, which leaves a decision-based attack no start; without
    /// its biases and on x − ½ its decision depends on the image (a ReLU network without biases is positively homogeneous).
    /// </summary>
    private static TorchClassifier CentredLeNet(Device device)
    {
        var lenet = ModelZoo.LeNet5(seed: 0);
        using (no_grad())
            foreach (var (name, parameter) in lenet.named_parameters())
                if (name.EndsWith("bias", StringComparison.Ordinal)) parameter.zero_();
        var module = new Centred(lenet);
        module.to(device);
        module.eval();
        return new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
    }

    private sealed class Centred : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public Centred(nn.Module<Tensor, Tensor> inner) : base(nameof(Centred))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => inner.forward(input - 0.5);
    }
}
