namespace NeuralShield.Attacks.Inference;

/// <summary>Options of a membership attack that learns from shadow models: how the shadows are made.</summary>
public interface IShadowAttackOptions
{
    /// <summary>How the attack's shadow models are made; null when the attack fits without shadows.</summary>
    ShadowTrainingOptions? Shadows { get; }
}
