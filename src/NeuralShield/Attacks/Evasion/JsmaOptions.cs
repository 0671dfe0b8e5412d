namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Jsma"/>.</summary>
public sealed class JsmaOptions : OptionsBase<JsmaOptions>
{
    /// <summary>
    /// The default memory budget of the pair search: 64 MiB. Larger blocks are not faster on CPU: each temporary of a
    /// 64 MiB block stays under 32 MB, which the C allocator recycles, while larger ones are mapped afresh from the
    /// operating system for every block (page faults measured at about 40% of the time with 256 MiB blocks).
    /// </summary>
    public const long DefaultPairSearchMemoryBytes = 64L * 1024 * 1024;

    /// <summary>The smallest accepted memory budget of the pair search: 1 KiB.</summary>
    public const long MinimumPairSearchMemoryBytes = 1024;

    /// <summary>
    /// Υ, the largest fraction of the features that may change, in (0, 1]. Paper (MNIST): 14.5%.
    /// A sample runs at most ⌊n·γ/2⌋ pair iterations (n features), so at most 2·⌊n·γ/2⌋ ≤ ⌈γ·n⌉ features change.
    /// </summary>
    public double Gamma { get; set; } = 0.145;

    /// <summary>θ's sign: <see cref="JsmaDirection.Increase"/> (θ = +1, the paper's MNIST setting) or <see cref="JsmaDirection.Decrease"/>.</summary>
    public JsmaDirection Direction { get; set; } = JsmaDirection.Increase;

    /// <summary>Differentiate the softmax output (JSMA-F, the paper's choice; default) or the logits (JSMA-Z).</summary>
    public JsmaOutput Output { get; set; } = JsmaOutput.Probabilities;

    /// <summary>The paper's pairwise saliency map (default) or ART's single-feature top-two variant.</summary>
    public JsmaSearch Search { get; set; } = JsmaSearch.Pairwise;

    /// <summary>
    /// Working memory of the pairwise search, in bytes (default 64 MiB, at least 1 KiB). The n×n pair scores of
    /// the samples are computed block by block (a set of rows (sample, p) × the columns right of the block's first
    /// row, or part of one row when a row alone is over budget) so that one block's temporaries stay within this
    /// budget; the result does not depend on it.
    /// </summary>
    public long PairSearchMemoryBytes { get; set; } = DefaultPairSearchMemoryBytes;

    /// <summary>
    /// Skip the rows of the pair matrix that cannot hold the best pair (default true). Exact: with the θ-signed
    /// per-feature gradients a = θ·∂F_t/∂x and b' = −θ·Σ_{j≠t}∂F_j/∂x, row p's scores are at most
    /// relu(a_p + max a)·relu(b'_p + max b'); the few rows with the largest bound are scored first, and a row whose
    /// bound is below their best score is skipped. The chosen pair is the same as with every pair scored (false),
    /// only found faster.
    /// </summary>
    public bool PairSearchPruning { get; set; } = true;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!(Gamma > 0 && Gamma <= 1))
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma (the largest fraction of features to change) must lie in (0, 1].");
        if (!Enum.IsDefined(Direction)) throw new ArgumentOutOfRangeException(nameof(Direction), Direction, "Unknown direction.");
        if (!Enum.IsDefined(Output)) throw new ArgumentOutOfRangeException(nameof(Output), Output, "Unknown output.");
        if (!Enum.IsDefined(Search)) throw new ArgumentOutOfRangeException(nameof(Search), Search, "Unknown search.");
        if (PairSearchMemoryBytes < MinimumPairSearchMemoryBytes)
            throw new ArgumentOutOfRangeException(nameof(PairSearchMemoryBytes), PairSearchMemoryBytes,
                $"PairSearchMemoryBytes must be at least {MinimumPairSearchMemoryBytes} bytes.");
    }
}
