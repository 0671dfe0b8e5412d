namespace NeuralShield.Attacks.Evasion;

/// <summary>The function F whose forward derivative <see cref="Jsma"/> follows.</summary>
public enum JsmaOutput
{
    /// <summary>F = softmax probabilities, as in the paper (Carlini and Wagner call this JSMA-F).</summary>
    Probabilities,

    /// <summary>F = the logits Z, the input of the softmax (JSMA-Z in Carlini and Wagner's naming).</summary>
    Logits,
}
