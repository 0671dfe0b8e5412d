using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>The registry of measured loops, in report order.</summary>
internal static class WorkloadCatalog
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
        ("cw-100", (d, s) => new CarliniWagnerWorkload(d, s.JsmaBatch, 100)),
        ("hopskipjump-10", (d, s) => new HopSkipJumpWorkload(d, Math.Max(1, s.JsmaBatch / 10), 10)),
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
