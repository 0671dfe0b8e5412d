namespace NeuralShield.Training;

/// <summary>The optimiser a <see cref="Trainer"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba 2015).</summary>
    Adam,
    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}
