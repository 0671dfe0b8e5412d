using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

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
