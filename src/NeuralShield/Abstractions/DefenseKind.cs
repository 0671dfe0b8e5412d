namespace NeuralShield;

/// <summary>What a defense acts on; each kind has its own verb.</summary>
public enum DefenseKind
{
    /// <summary>Changes what a classifier reveals (a decorator over its outputs).</summary>
    Output,

    /// <summary>Transforms inputs before the model (a differentiable decorator).</summary>
    Input,

    /// <summary>Trains a hardened model (<c>Fit</c>).</summary>
    Training,

    /// <summary>Watches a query stream (a decorator that inspects every query).</summary>
    Detection,

    /// <summary>Filters or verifies a training set (<c>Inspect</c>).</summary>
    Data,
}
