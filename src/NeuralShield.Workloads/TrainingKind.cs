using NeuralShield.Defenses.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

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
