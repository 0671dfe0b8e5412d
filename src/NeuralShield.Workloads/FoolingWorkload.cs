using NeuralShield.Attacks.Fooling;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

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
