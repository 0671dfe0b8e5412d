using NeuralShield.Training;

namespace NeuralShield.Encrypted;

/// <summary>Settings of <see cref="EncryptedInferenceEvaluation"/>.</summary>
public sealed class EncryptedInferenceOptions
{
    /// <summary>How the network is trained. Default TenSEAL's tutorial: Adam lr 1e-3, batch 64, 10 epochs.</summary>
    public TrainingOptions Training { get; set; } = new() { Epochs = 10, BatchSize = 64, LearningRate = 1e-3, Optimizer = OptimizerKind.Adam };

    /// <summary>Seed of the weights and of the batch order. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>The CKKS parameters. Default <see cref="CkksParameters.TenSealMnist"/>.</summary>
    public CkksParameters Parameters { get; set; } = CkksParameters.TenSealMnist;

    /// <summary>Where Node.js and node-seal are.</summary>
    public NodeSealOptions? Node { get; set; }

    /// <summary>Single-image round trips timed for the latency (the median is reported). Default 5.</summary>
    public int LatencyRuns { get; set; } = 5;
}
