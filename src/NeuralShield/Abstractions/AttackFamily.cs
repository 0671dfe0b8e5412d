namespace NeuralShield;

/// <summary>The family an attack belongs to; each family has its own verb and result type.</summary>
public enum AttackFamily
{
    /// <summary>Perturbs inputs so that they are misclassified (<see cref="Attacks.IEvasionAttack{TModel}.Run"/>).</summary>
    Evasion,

    /// <summary>Synthesises unrecognisable inputs classified with high confidence (<c>Generate</c>).</summary>
    Fooling,

    /// <summary>Learns about the training data from the model: membership, properties (<c>Fit</c>, then <c>Infer</c>).</summary>
    Inference,

    /// <summary>Builds a local copy of a model from its answers (<c>Extract</c>).</summary>
    Extraction,

    /// <summary>Alters training data so that the trained model misbehaves (<c>Poison</c>).</summary>
    Poisoning,
}
