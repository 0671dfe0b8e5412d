using NeuralShield.Privacy;

namespace NeuralShield.Defenses.Training;

/// <summary>The differentially private classifier, its training record and its privacy guarantee.</summary>
public sealed class DifferentiallyPrivateResult(TrainedModel model, PrivacySpent privacy, double noiseMultiplier, double clipNorm, double samplingRate, long steps, LotSampling sampling)
    : HardenedModel(model)
{
    /// <summary>The (ε, δ) guarantee of the whole run (RDP accountant) and the order that gave it.</summary>
    public PrivacySpent Privacy { get; } = privacy;

    /// <summary>The noise multiplier σ used (given, or calibrated to the target ε).</summary>
    public double NoiseMultiplier { get; } = noiseMultiplier;

    /// <summary>The clipping norm C.</summary>
    public double ClipNorm { get; } = clipNorm;

    /// <summary>The sampling rate q = L / N.</summary>
    public double SamplingRate { get; } = samplingRate;

    /// <summary>The number of noisy steps taken.</summary>
    public long Steps { get; } = steps;

    /// <summary>How lots were formed.</summary>
    public LotSampling Sampling { get; } = sampling;
}
