namespace NeuralShield.Metrics;

/// <summary>The norm a perturbation is measured or bounded in.</summary>
public enum Norm
{
    /// <summary>Number of changed features.</summary>
    L0,
    /// <summary>Euclidean norm.</summary>
    L2,
    /// <summary>Largest absolute change.</summary>
    LInf,
}
