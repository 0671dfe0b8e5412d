namespace NeuralShield.Attacks.Inference;

/// <summary>The attack model of <see cref="ShadowModelAttack"/>.</summary>
public enum AttackModelKind
{
    /// <summary>Logistic regression (a linear layer and softmax over in/out).</summary>
    LogisticRegression,

    /// <summary>A one-hidden-layer ReLU network (<see cref="ShadowModelAttackOptions.Hidden"/> units), as Shokri et al. use.</summary>
    Mlp,
}
