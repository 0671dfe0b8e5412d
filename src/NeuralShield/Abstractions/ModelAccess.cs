namespace NeuralShield;

/// <summary>What an attacker needs of the model (or its pipeline), from least to most.</summary>
public enum ModelAccess
{
    /// <summary>Only the predicted label of each query.</summary>
    LabelOnly,

    /// <summary>The output probabilities of each query (a prediction API).</summary>
    Probabilities,

    /// <summary>The model's gradients (<see cref="Models.IDifferentiableClassifier"/>).</summary>
    WhiteBox,

    /// <summary>Write access to (part of) the training data.</summary>
    TrainingData,
}
