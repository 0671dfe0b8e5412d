namespace NeuralShield.Attacks.Extraction;

/// <summary>How the substitute is trained on the growing training set from one round to the next.</summary>
public enum SubstituteTraining
{
    /// <summary>A fresh substitute (the recipe's seed) is trained on S_ρ each round, as Algorithm 1 of the paper reads.</summary>
    Retrain,

    /// <summary>The substitute of the previous round keeps training on S_ρ (what the cleverhans tutorial does).</summary>
    Continue,
}
