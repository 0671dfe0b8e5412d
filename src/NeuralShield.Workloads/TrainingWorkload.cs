using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

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
