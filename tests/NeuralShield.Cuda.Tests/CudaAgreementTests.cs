using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Data;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda.Tests;

/// <summary>
/// Each family's core gives the same result on CUDA as on the CPU: same seeds, same weights, within float tolerance.
/// Gradient signs of near-zero components may differ between the devices' kernels, so sign-step results are compared
/// by the share of elements that agree.
/// </summary>
public class CudaAgreementTests
{
    private static TorchClassifier LeNet(Device device, long seed = 0)
    {
        var module = ModelZoo.LeNet5(seed: seed);
        module.to(device);
        module.eval();
        return new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
    }

    private static Tensor Images(int count, long seed = 1, double scale = 1.0)
    {
        using var g = new Generator((ulong)seed);
        using var x = rand([count, 1, 28, 28], generator: g);
        return x * scale;
    }

    private static Tensor Labels(int count, long seed = 2)
    {
        using var g = new Generator((ulong)seed);
        return randint(0, 10, [count], generator: g);
    }

    /// <summary>Runs <paramref name="run"/> on the CPU and on the compared device; both results on the CPU.</summary>
    private static (Tensor Cpu, Tensor Other) OnBoth(Func<Device, Tensor> run)
    {
        var cpu = run(CPU).cpu();
        var other = run(CudaDevices.Other).cpu();
        Assert.Equal(cpu.shape, other.shape);
        return (cpu, other);
    }

    /// <summary>The share of elements whose values differ by more than <paramref name="tolerance"/>.</summary>
    private static double DifferingShare(Tensor a, Tensor b, double tolerance) =>
        (a - b).abs().gt(tolerance).to_type(ScalarType.Float32).mean().item<float>();

    private static Tensor Evasion(IEvasionAttack<IDifferentiableClassifier> attack, Device device, Tensor x, AttackGoal goal)
    {
        using var model = LeNet(device);
        using var result = attack.Run(model, x, goal);
        return result.Adversarials.detach().cpu().clone();
    }

    [CudaFact]
    public void FgsmStepAgrees()
    {
        using var x = Images(64);
        using var y = Labels(64);
        var (cpu, other) = OnBoth(d => Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.25 }), d, x, AttackGoal.Untargeted(y)));
        Assert.True(DifferingShare(cpu, other, 1e-4) <= 0.005, $"{DifferingShare(cpu, other, 1e-4):P2} of the FGSM pixels differ");
    }

    [CudaFact]
    public void PgdAgrees()
    {
        using var x = Images(64);
        using var y = Labels(64);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.01, Steps = 20, RandomStart = true, Seed = 3 });
        var (cpu, other) = OnBoth(d => Evasion(pgd, d, x, AttackGoal.Untargeted(y)));
        Assert.True(DifferingShare(cpu, other, 1e-3) <= 0.02, $"{DifferingShare(cpu, other, 1e-3):P2} of the PGD pixels differ");
    }

    [CudaFact]
    public void JsmaIterationAgreesForFAndZ()
    {
        using var x = Images(32, scale: 0.5);
        using var targets = Labels(32);
        foreach (var output in new[] { JsmaOutput.Probabilities, JsmaOutput.Logits })
        {
            var jsma = new Jsma(new JsmaOptions { Gamma = 6.0 / 784, Output = output }); // three pair iterations
            var (cpu, other) = OnBoth(d => Evasion(jsma, d, x, AttackGoal.Targeted(targets)));
            var sameSamples = (cpu - other).abs().flatten(1).amax(1).le(1e-6f).to_type(ScalarType.Float32).mean().item<float>();
            Assert.True(sameSamples >= 0.9, $"JSMA-{output}: only {sameSamples:P0} of the samples changed the same pixels");
        }
    }

    [CudaFact]
    public void DeepFoolAgrees()
    {
        using var x = Images(32);
        var (cpu, other) = OnBoth(d =>
        {
            using var model = LeNet(d);
            using var labels = model.Predict(x.to(d));
            using var result = new DeepFool(new DeepFoolOptions { MaxIterations = 5 }).Run(model, x, AttackGoal.Untargeted(labels));
            return (result.Adversarials.cpu() - x).detach().clone();
        });
        var relative = (cpu - other).flatten(1).norm(1) / cpu.flatten(1).norm(1).clamp_min(1e-12);
        var close = relative.le(1e-3f).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(close >= 0.9, $"only {close:P0} of the DeepFool perturbations agree within 0.1%");
    }

    [CudaFact]
    public void FoolingStepsAgree()
    {
        var fooling = new GradientAscentFooling(new GradientAscentFoolingOptions
        {
            Step = AscentStep.NormalisedGradient, StepSize = 0.5, Steps = 5, ConfidenceThreshold = 1.0, Seed = 4,
        });
        var (cpu, other) = OnBoth(d =>
        {
            using var model = LeNet(d);
            using var result = fooling.Generate(model, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 28, 28]);
            return result.Images.detach().cpu().clone();
        });
        Assert.True((cpu - other).abs().max().item<float>() <= 1e-3f, "the fooling images differ by more than 1e-3");
    }

    /// <summary>One epoch of SGD with <paramref name="step"/>; the parameters' change on the compared device matches the CPU's to 1% of its size.</summary>
    private static void EpochAgrees(Func<Device, ITrainingStep> step)
    {
        using var g = new Generator(5);
        using var data = new LabeledData(rand([256, 1, 28, 28], generator: g), randint(0, 10, [256], generator: g), 10);
        var trainer = new Trainer(new TrainingOptions { Epochs = 1, BatchSize = 32, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Seed = 6 });
        Tensor Train(Device device)
        {
            using var module = ModelZoo.LeNet5(seed: 0);
            module.to(device);
            trainer.Fit(module, data, step: step(device));
            return cat(module.parameters().Select(p => p.detach().cpu().flatten()).ToArray());
        }
        using var initial = ModelZoo.LeNet5(seed: 0);
        using var start = cat(initial.parameters().Select(p => p.detach().flatten()).ToArray());
        var (cpu, other) = OnBoth(Train);
        var change = (cpu - start).norm().item<float>();
        var difference = (cpu - other).norm().item<float>();
        Assert.True(change > 0, "training did not change the parameters");
        Assert.True(difference <= 0.01 * change, $"parameters differ by {difference:G3}, {difference / change:P2} of the epoch's change {change:G3}");
    }

    [CudaFact]
    public void TrainingEpochAgrees() => EpochAgrees(_ => CrossEntropyStep.Default);

    [CudaFact]
    public void DistillationStepAgrees() => EpochAgrees(d => SoftLabelStep.FromTeacher(LeNet(d, seed: 1), temperature: 20));

    [CudaFact]
    public void SaturationStepAgrees() => EpochAgrees(_ => new SaturationStep(lambda: 0.01, rampEpochs: 0));

    [CudaFact]
    public void AdversarialStepAgrees() =>
        EpochAgrees(_ => new AdversarialStep(_ => new Fgsm(new FgsmOptions { Epsilon = 0.25 }), cleanWeight: 0.5, classCount: 10, InputBounds.Unit));
}
