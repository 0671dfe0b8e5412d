namespace NeuralShield.Onnx;

/// <summary>What the output of an ONNX model is, as declared or detected by <see cref="OnnxClassifier"/>.</summary>
public enum OnnxOutput
{
    /// <summary>
    /// Decide from the answers: an answer with a negative value or a row whose sum is off 1 by more than 1e-3 is
    /// logits, and the classifier takes the softmax of it and of every later answer. Until a call shows logits,
    /// non-negative rows summing to 1 are taken as probabilities.
    /// </summary>
    Detect,

    /// <summary>The model outputs class probabilities (its graph ends in a softmax); they are passed through.</summary>
    Probabilities,

    /// <summary>The model outputs logits; the classifier applies the softmax over classes.</summary>
    Logits,
}
