namespace NeuralShield.Onnx;

/// <summary>
/// What <see cref="InputContract.Check"/> found: the clean accuracy with the declared input contract, the accuracy of
/// always answering the most frequent class, and a contract that fits clearly better, when one was found.
/// </summary>
/// <param name="Accuracy">Clean accuracy with the declared options.</param>
/// <param name="Chance">The share of the most frequent class among the samples.</param>
/// <param name="Samples">The number of samples measured.</param>
/// <param name="Better">Options (scaling and layout) under which the model is clearly more accurate; null when none is.</param>
/// <param name="BetterAccuracy">The clean accuracy with <paramref name="Better"/>; NaN when it is null.</param>
public sealed record InputContractCheck(double Accuracy, double Chance, int Samples, OnnxClassifierOptions? Better, double BetterAccuracy)
{
    /// <summary>Whether the declared contract fits: no other is clearly better, and the accuracy is not near chance.</summary>
    public bool Fits => Better is null && !NearChance;

    /// <summary>
    /// Whether the accuracy is near that of always answering the most frequent class: within
    /// <see cref="InputContract.ChanceMargin"/> of the way from it to 100 %.
    /// </summary>
    public bool NearChance => Accuracy <= Chance + InputContract.ChanceMargin * (1 - Chance);

    /// <summary>One line for a person: the accuracy and, when it does not fit, the scaling and layout that would.</summary>
    public override string ToString()
    {
        var measured = $"clean accuracy {Accuracy:P1} on {Samples} samples (most frequent class {Chance:P1})";
        if (Better is { } b) return $"{measured}; with input scaling {b.Scaling} and layout {b.Layout} it is {BetterAccuracy:P1} (the tool's {Flags(b)})";
        return NearChance ? $"{measured} is near chance, and no other scaling (1, 255, the data's mean/std) or layout (NCHW, NHWC, flat) does better" : measured;
    }

    /// <summary>The audit tool's options that give <paramref name="o"/>'s scaling and layout.</summary>
    private static string Flags(OnnxClassifierOptions o) =>
        FormattableString.Invariant($"--layout {o.Layout.ToString().ToLowerInvariant()} --input-scale {o.Scaling.Scale:G6}") +
        (o.Scaling.Mean is { } m ? $" --mean {Join(m)} --std {Join(o.Scaling.Std!)}" : "");

    private static string Join(IEnumerable<float> values) => string.Join(" ", values.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));
}
