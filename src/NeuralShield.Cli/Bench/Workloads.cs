using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Cuda;
using NeuralShield.Data;
using NeuralShield.Defenses.Training;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Bench;

/// <summary>
/// The sizes of the measured loops. <see cref="Full"/> are the sizes of the PyTorch side by side
/// (benchmarks/reference): PGD and FGSM on batches of 1,000, JSMA on 100. <see cref="Quick"/> only checks that every
/// loop runs (a few samples).
/// </summary>
/// <param name="AttackBatch">Samples of the FGSM and PGD runs.</param>
/// <param name="JsmaBatch">Samples of the JSMA and DeepFool runs.</param>
/// <param name="UniversalImages">Images of the universal-perturbation pass (mini-batches of <see cref="TrainBatch"/>/2).</param>
/// <param name="FoolingTargets">Fooling inputs searched at once.</param>
/// <param name="TrainSamples">Samples of a training epoch.</param>
/// <param name="TrainBatch">Mini-batch of a training epoch.</param>
/// <param name="SubstituteSeeds">Seed inputs of the substitute round (the paper's 150).</param>
internal sealed record BenchSizes(int AttackBatch, int JsmaBatch, int UniversalImages, int FoolingTargets, int TrainSamples, int TrainBatch, int SubstituteSeeds)
{
    /// <summary>The sizes of the recorded measurements.</summary>
    public static BenchSizes Full { get; } = new(1000, 100, 1024, 100, 2048, 128, 150);

    /// <summary>A few samples each: every loop runs, nothing is measured.</summary>
    public static BenchSizes Quick { get; } = new(8, 4, 32, 4, 64, 16, 8);
}

/// <summary>
/// One hot loop twice: through the library (<see cref="Library"/>) and as the bare TorchSharp work it needs, the same
/// math written by hand without the library's checks, batching and bookkeeping (<see cref="Bare"/>). The ratio of
/// their times is the library's overhead. Both wait for queued device work before they return.
/// </summary>
internal abstract class Workload : IDisposable
{
    protected Workload(Device device) => Device = device;

    /// <summary>Where the loop runs.</summary>
    public Device Device { get; }

    /// <summary>What the loop does, in a few words.</summary>
    public abstract string What { get; }

    /// <summary>The loop's length in gradient steps (1 for a single step).</summary>
    public abstract int Steps { get; }

    /// <summary>The loop through the library's public API.</summary>
    public abstract void Library();

    /// <summary>The same math in bare TorchSharp.</summary>
    public abstract void Bare();

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    protected void Synchronize()
    {
        if (Device.type == DeviceType.CUDA) cuda.synchronize();
    }

    /// <summary>LeNet-5 (<see cref="ModelZoo.LeNet5"/>) on the device, in evaluation mode.</summary>
    protected static TorchClassifier LeNet(Device device, long seed = 0)
    {
        var module = ModelZoo.LeNet5(seed: seed);
        module.to(device);
        module.eval();
        return new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
    }

    /// <summary>Uniform [0, scale) MNIST-shaped inputs drawn on the CPU from <paramref name="seed"/>, moved to the device.</summary>
    protected static Tensor Images(int count, Device device, long seed = 1, double scale = 1.0)
    {
        using var g = new Generator((ulong)seed);
        using var x = rand([count, 1, 28, 28], generator: g);
        return scale == 1.0 ? x.to(device, copy: true) : (x * scale).to(device);
    }

    /// <summary>Uniform labels in [0, 10) drawn on the CPU from <paramref name="seed"/>, moved to the device.</summary>
    protected static Tensor Labels(int count, Device device, long seed = 2)
    {
        using var g = new Generator((ulong)seed);
        using var y = randint(0, 10, [count], generator: g);
        return y.to(device, copy: true);
    }
}

/// <summary>The registry of measured loops, in report order.</summary>
internal static class Workloads
{
    /// <summary>Name → factory. Other families (DP-SGD, shadow ensembles, substitute rounds, detector queries) add their loops here.</summary>
    public static IReadOnlyList<(string Name, Func<Device, BenchSizes, Workload> Create)> All { get; } =
    [
        ("fgsm", (d, s) => new GradientDescentWorkload(d, s.AttackBatch, 1)),
        ("pgd-10", (d, s) => new GradientDescentWorkload(d, s.AttackBatch, 10)),
        ("pgd-40", (d, s) => new GradientDescentWorkload(d, s.AttackBatch, 40)),
        ("jsma-f", (d, s) => new JsmaWorkload(d, s.JsmaBatch, JsmaOutput.Probabilities)),
        ("jsma-z", (d, s) => new JsmaWorkload(d, s.JsmaBatch, JsmaOutput.Logits)),
        ("deepfool-10", (d, s) => new DeepFoolWorkload(d, s.JsmaBatch, 10)),
        ("universal-pass", (d, s) => new UniversalWorkload(d, s.UniversalImages, Math.Max(1, s.TrainBatch / 2))),
        ("fooling-10", (d, s) => new FoolingWorkload(d, s.FoolingTargets, 10)),
        ("train-epoch", (d, s) => new TrainingWorkload(d, s.TrainSamples, s.TrainBatch, TrainingKind.CrossEntropy)),
        ("distillation-epoch", (d, s) => new TrainingWorkload(d, s.TrainSamples, s.TrainBatch, TrainingKind.Distillation)),
        ("saturation-epoch", (d, s) => new TrainingWorkload(d, s.TrainSamples, s.TrainBatch, TrainingKind.Saturation)),
        ("adversarial-epoch", (d, s) => new TrainingWorkload(d, s.TrainSamples, s.TrainBatch, TrainingKind.AdversarialFgsm)),
        ("substitute-round", (d, s) => new SubstituteRoundWorkload(d, s.SubstituteSeeds, s.TrainBatch)),
    ];

    /// <summary>The names, in report order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(w => w.Name).ToArray();

    /// <summary>Creates the workload called <paramref name="name"/>.</summary>
    public static Workload Create(string name, Device device, BenchSizes sizes) =>
        All.First(w => w.Name == name).Create(device, sizes);
}

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

    public override string What { get; }

    public override int Steps { get; }

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

    public override string What { get; }

    public override int Steps => 1;

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

/// <summary>DeepFool L2 (overshoot 0.02, 10 candidate classes), at most k iterations, away from the model's own predictions.</summary>
internal sealed class DeepFoolWorkload : Workload
{
    private const int Candidates = 10;
    private const double Overshoot = 0.02;
    private readonly TorchClassifier _model;
    private readonly Tensor _x;
    private readonly Tensor _labels;
    private readonly DeepFool _deepFool;

    public DeepFoolWorkload(Device device, int batch, int iterations) : base(device)
    {
        _model = LeNet(device);
        _x = Images(batch, device);
        using (no_grad()) _labels = _model.Module.forward(_x).argmax(1);
        Steps = iterations;
        _deepFool = new DeepFool(new DeepFoolOptions { MaxIterations = iterations, Overshoot = Overshoot, CandidateClasses = Candidates });
        What = $"DeepFool L2, at most {iterations} iterations, LeNet-5, batch {batch}";
    }

    public override string What { get; }

    public override int Steps { get; }

    public override void Library()
    {
        using var result = _deepFool.Run(_model, _x, AttackGoal.Untargeted(_labels));
        Synchronize();
    }

    /// <summary>
    /// Per iteration, on the samples not yet fooled: one forward pass, k − 1 gradients of f_k − f_label, the closest
    /// linearised boundary, the step toward it (+10⁻⁴), the clamped point, and one forward pass for the label check.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var module = _model.Module;
        var start = _x;
        var logits = module.forward(start);
        var ranked = logits.masked_fill(nn.functional.one_hot(_labels, 10).to_type(ScalarType.Bool), float.PositiveInfinity);
        var candidates = ranked.argsort(1, descending: true).narrow(1, 0, Candidates).contiguous();
        var active = logits.argmax(1).eq(_labels);
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
            var changed = module.forward(next).argmax(1).ne(_labels.index_select(0, index));
            active.index_copy_(0, index, changed.logical_not());
        }
        Synchronize();
    }

    public override void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
        _labels.Dispose();
    }
}

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

    public override string What { get; }

    public override int Steps { get; }

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

/// <summary>Gradient-ascent fooling: k sign steps of 0.01 up the target's log-probability from uniform noise, one input per target.</summary>
internal sealed class FoolingWorkload : Workload
{
    private const double StepSize = 0.01;
    private const double Threshold = 0.9999;
    private readonly TorchClassifier _model;
    private readonly GradientAscentFooling _fooling;
    private readonly int[] _targets;

    public FoolingWorkload(Device device, int targets, int steps) : base(device)
    {
        _model = LeNet(device);
        _targets = Enumerable.Range(0, targets).Select(i => i % 10).ToArray();
        Steps = steps;
        _fooling = new GradientAscentFooling(new GradientAscentFoolingOptions
        {
            Start = FoolingStart.UniformNoise, Objective = FoolingObjective.LogSoftmax, Step = AscentStep.Sign,
            StepSize = StepSize, Steps = steps, ConfidenceThreshold = Threshold, Seed = 0,
        });
        What = $"gradient-ascent fooling, {steps} sign steps, {targets} inputs, LeNet-5";
    }

    public override string What { get; }

    public override int Steps { get; }

    public override void Library()
    {
        using var result = _fooling.Generate(_model, _targets, [1, 28, 28]);
        Synchronize();
    }

    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var module = _model.Module;
        var count = _targets.Length;
        var targets = tensor(_targets.Select(t => (long)t).ToArray(), device: Device).unsqueeze(1);
        Tensor x;
        using (var g = new Generator(0))
            x = rand([count, 1, 28, 28], generator: g).to(Device);
        var active = ones(count, dtype: ScalarType.Bool, device: Device);
        for (var step = 0; step < Steps; step++)
        {
            using var iteration = NewDisposeScope();
            var leaf = x.detach().requires_grad_(true);
            var logProbabilities = module.forward(leaf).log_softmax(1);
            var objective = logProbabilities.gather(1, targets);
            var gradient = autograd.grad([objective.sum()], [leaf])[0];
            using var noGrad = no_grad();
            active.logical_and_(objective.detach().squeeze(1).exp().lt(Threshold));
            if (!active.any().item<bool>()) break;
            var next = (x + StepSize * gradient.sign()).clamp(0, 1);
            x = where(active.view(-1, 1, 1, 1), next, x).MoveToOuterDisposeScope();
        }
        Synchronize();
    }

    public override void Dispose() => _model.Dispose();
}

/// <summary>Which training step an epoch runs.</summary>
internal enum TrainingKind
{
    /// <summary>Plain cross-entropy.</summary>
    CrossEntropy,

    /// <summary>Defensive distillation's student step: soft labels of a teacher at T = 20.</summary>
    Distillation,

    /// <summary>Saturation: cross-entropy + 0.1 · the ReLU penalty.</summary>
    Saturation,

    /// <summary>Adversarial training, Goodfellow et al.: 0.5 clean + 0.5 FGSM (ε = 0.25) cross-entropy.</summary>
    AdversarialFgsm,
}

/// <summary>One epoch of Adam (lr 10⁻³) over random MNIST-shaped data, seeded batch order, with one of the library's training steps.</summary>
internal sealed class TrainingWorkload : Workload
{
    private const double Temperature = 20;
    private const double Lambda = 0.1;
    private const double FgsmEpsilon = 0.25;
    private readonly TrainingKind _kind;
    private readonly nn.Module<Tensor, Tensor> _student;
    private readonly TorchClassifier _teacher;
    private readonly LabeledData _data;
    private readonly Trainer _trainer;
    private readonly ITrainingStep _step;
    private readonly int _batch;

    public TrainingWorkload(Device device, int samples, int batch, TrainingKind kind) : base(device)
    {
        _kind = kind;
        _batch = batch;
        _student = ModelZoo.LeNet5(seed: 0);
        _student.to(device);
        _teacher = LeNet(device, seed: 1);
        using (var g = new Generator(1))
        using (var features = rand([samples, 1, 28, 28], generator: g))
        using (var labels = randint(0, 10, [samples], generator: g))
            _data = new LabeledData(features.clone(), labels.clone(), 10);
        Steps = (samples + batch - 1) / batch;
        _trainer = new Trainer(new TrainingOptions { Epochs = 1, BatchSize = batch, LearningRate = 1e-3, Optimizer = OptimizerKind.Adam, Seed = 0 });
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = FgsmEpsilon });
        _step = kind switch
        {
            TrainingKind.CrossEntropy => CrossEntropyStep.Default,
            TrainingKind.Distillation => SoftLabelStep.FromTeacher(_teacher, Temperature),
            TrainingKind.Saturation => new SaturationStep(Lambda, 0),
            _ => new AdversarialStep(_ => fgsm, 0.5, 10, InputBounds.Unit),
        };
        What = kind switch
        {
            TrainingKind.CrossEntropy => "training epoch (cross-entropy)",
            TrainingKind.Distillation => "distillation epoch (student on a teacher's soft labels, T = 20)",
            TrainingKind.Saturation => "saturation epoch (cross-entropy + 0.1 · ReLU penalty)",
            _ => "adversarial-training epoch (0.5 clean + 0.5 FGSM ε = 0.25)",
        } + $", LeNet-5, {samples} samples, batch {batch}, Adam";
    }

    public override string What { get; }

    public override int Steps { get; }

    public override void Library()
    {
        _trainer.Fit(_student, _data, step: _step);
        Synchronize();
    }

    /// <summary>The trainer's loop by hand: Adam, seeded permutation drawn on the CPU, batches moved to the device, zero/loss/backward/step, loss read each step.</summary>
    public override void Bare()
    {
        var module = _student;
        module.train();
        using var optimizer = optim.Adam(module.parameters(), lr: 1e-3);
        using var order = LabeledData.Permutation(_data.Count, 0, CPU);
        double lossSum = 0;
        for (var start = 0; start < _data.Count; start += _batch)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(_batch, _data.Count - start));
            var x = _data.Features.index_select(0, index).to(Device);
            var y = _data.Labels.index_select(0, index).to(Device);
            optimizer.zero_grad();
            var loss = Loss(module, x, y);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * x.shape[0];
        }
        module.eval();
        GC.KeepAlive(lossSum);
        Synchronize();
    }

    private Tensor Loss(nn.Module<Tensor, Tensor> module, Tensor x, Tensor y)
    {
        switch (_kind)
        {
            case TrainingKind.CrossEntropy:
                return nn.functional.cross_entropy(module.forward(x), y);
            case TrainingKind.Distillation:
            {
                Tensor soft;
                using (no_grad()) soft = (_teacher.Module.forward(x) / Temperature).softmax(1);
                return (soft * (module.forward(x) / Temperature).log_softmax(1)).sum(1).mean().neg();
            }
            case TrainingKind.Saturation:
            {
                var h = x;
                Tensor? penalty = null;
                foreach (var layer in module.children().Cast<nn.Module<Tensor, Tensor>>())
                {
                    h = layer.forward(h);
                    if (layer is TorchSharp.Modules.ReLU)
                    {
                        var psi = h.flatten(1).sum(1);
                        penalty = penalty is null ? psi : penalty + psi;
                    }
                }
                return nn.functional.cross_entropy(h, y) + Lambda * penalty!.mean();
            }
            default:
            {
                module.eval();
                Tensor adversarial;
                using (enable_grad())
                {
                    var leaf = x.detach().requires_grad_(true);
                    var attackLoss = nn.functional.cross_entropy(module.forward(leaf), y, reduction: nn.Reduction.Sum);
                    var g = autograd.grad([attackLoss], [leaf])[0];
                    using var noGrad = no_grad();
                    adversarial = (x + FgsmEpsilon * g.sign()).clamp(0, 1);
                }
                module.train();
                module.zero_grad();
                var adversarialLoss = nn.functional.cross_entropy(module.forward(adversarial), y);
                var cleanLoss = nn.functional.cross_entropy(module.forward(x), y);
                return cleanLoss * 0.5 + adversarialLoss * 0.5;
            }
        }
    }

    public override void Dispose()
    {
        _student.Dispose();
        _teacher.Dispose();
        _data.Dispose();
    }
}

/// <summary>
/// One Jacobian-augmentation round of substitute training (Papernot et al. 2017) against a LeNet-5 oracle: the seeds
/// labelled by the oracle, a LeNet-5 substitute trained on them, every point's child x + λ·sign(∂F_Õ(x)/∂x) labelled by
/// the oracle, and the substitute trained on for the doubled set (<see cref="SubstituteTraining.Continue"/>, a fresh Adam).
/// </summary>
internal sealed class SubstituteRoundWorkload : Workload
{
    private const int Epochs = 2;
    private const double Lambda = 0.1;
    private readonly TorchClassifier _oracle;
    private readonly Tensor _seeds;
    private readonly int _batch;

    public SubstituteRoundWorkload(Device device, int seeds, int batch) : base(device)
    {
        _oracle = LeNet(device, seed: 1);
        _seeds = Images(seeds, device);
        _batch = batch;
        var batches = (seeds + batch - 1) / batch + (2 * seeds + batch - 1) / batch;
        Steps = Epochs * batches;
        What = $"substitute round: {seeds} seeds labelled, LeNet-5 trained {Epochs} epochs, {seeds} children labelled, trained {Epochs} epochs on {2 * seeds}, batch {batch}, Adam";
    }

    public override string What { get; }

    public override int Steps { get; }

    public override void Library()
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 2, Lambda = Lambda, Training = SubstituteTraining.Continue, Seed = 0,
            Substitute = new ModelRecipe
            {
                Architecture = seed => ModelZoo.LeNet5(seed: seed),
                Training = new TrainingOptions { Epochs = Epochs, BatchSize = _batch, LearningRate = 1e-3, Seed = 0 },
                Device = Device,
            },
        });
        using var result = attack.Extract(_oracle, _seeds, new QueryBudget(2 * _seeds.shape[0]));
        Synchronize();
    }

    /// <summary>
    /// The round by hand: oracle argmax, Adam epochs over seeded permutations, the substitute's agreement with the oracle
    /// on its training set after each training (the result reports it), the softmax-output input gradient, the children,
    /// their labels.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var substitute = ModelZoo.LeNet5(seed: 0);
        substitute.to(Device);
        var oracle = _oracle.Module;
        Tensor Label(Tensor x)
        {
            using var _ = no_grad();
            return oracle.forward(x).argmax(1);
        }
        var x = _seeds;
        var y = Label(x);
        Train(substitute, x, y);
        substitute.eval();
        var leaf = x.detach().requires_grad_(true);
        var output = substitute.forward(leaf).softmax(1).gather(1, y.unsqueeze(1)).sum();
        var gradient = autograd.grad([output], [leaf])[0];
        Tensor children;
        using (no_grad()) children = (x + Lambda * gradient.sign()).clamp(0, 1);
        var grownX = cat([x, children], 0);
        var grownY = cat([y, Label(children)], 0);
        Train(substitute, grownX, grownY);
        substitute.Dispose();
        Synchronize();
    }

    private void Train(nn.Module<Tensor, Tensor> module, Tensor x, Tensor y)
    {
        module.train();
        using var optimizer = optim.Adam(module.parameters(), lr: 1e-3);
        var n = (int)x.shape[0];
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            using var order = LabeledData.Permutation(n, epoch, CPU);
            for (var start = 0; start < n; start += _batch)
            {
                using var step = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(_batch, n - start)).to(Device);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(module.forward(x.index_select(0, index)), y.index_select(0, index));
                loss.backward();
                optimizer.step();
                GC.KeepAlive(loss.item<float>());
            }
        }
        module.eval();
        using var _ = no_grad();
        using var agreement = module.forward(x).argmax(1).eq(y).to_type(ScalarType.Float64).mean();
        GC.KeepAlive(agreement.item<double>());
    }

    public override void Dispose()
    {
        _oracle.Dispose();
        _seeds.Dispose();
    }
}
