using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Audit;

/// <summary>The families an audit groups its entries in (what <c>--attacks</c> selects).</summary>
public enum AuditFamily
{
    /// <summary>Adversarial examples: FGSM, PGD, JSMA, DeepFool, universal perturbations.</summary>
    Evasion,

    /// <summary>Inputs synthesised to be classified with high confidence.</summary>
    Fooling,

    /// <summary>Membership inference, with and without output defenses.</summary>
    Membership,

    /// <summary>Substitute extraction and the transfer of its adversarial examples.</summary>
    Transfer,

    /// <summary>Label flipping and backdoor sensitivity (the model retrained on poisoned data).</summary>
    Poisoning,
}
