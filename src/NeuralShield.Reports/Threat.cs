namespace NeuralShield.Reports;

/// <summary>The threats of the survey an audit answers for, one summary card each.</summary>
public enum Threat
{
    /// <summary>Adversarial examples: small input changes that change the prediction.</summary>
    Evasion,

    /// <summary>Inputs synthesised to be classified with high confidence.</summary>
    Fooling,

    /// <summary>Membership inference: telling the training records from others.</summary>
    Membership,

    /// <summary>Model extraction by a substitute, and the transfer of its adversarial examples.</summary>
    Extraction,

    /// <summary>Poisoned training data: label flips and backdoors.</summary>
    Poisoning,
}
