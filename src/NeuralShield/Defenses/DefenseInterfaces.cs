using NeuralShield.Attacks;

namespace NeuralShield.Defenses;

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

/// <summary>What every defense says of itself, so that the audit and reports can enumerate and describe it.</summary>
/// <param name="Name">A short display name.</param>
/// <param name="Kind">What it acts on.</param>
/// <param name="Paper">The paper it implements, when there is one.</param>
/// <param name="Counters">The attack families it is meant to counter.</param>
public sealed record DefenseDescriptor(string Name, DefenseKind Kind, PaperReference? Paper, IReadOnlyList<AttackFamily> Counters);

/// <summary>The common root of every defense of the library.</summary>
public interface IDefense
{
    /// <summary>Name, kind, paper and the families it counters.</summary>
    DefenseDescriptor Descriptor { get; }
}

/// <summary>
/// An output defense: changes the probabilities a classifier reveals (temperature, top-k, rounding, label only) while
/// keeping its predicted class. Applied as a decorator (<see cref="Output.OutputDefenses.Apply(IOutputDefense, IClassifier)"/>),
/// so every attack runs against the defended classifier unchanged.
/// </summary>
public interface IOutputDefense : IDefense
{
    /// <summary>The revealed output [N, C] for the model's probabilities [N, C]; a fresh tensor, no autograd.</summary>
    Tensor Transform(Tensor probabilities);
}

/// <summary>An input transformation defense (e.g. squeezing, smoothing) applied before the model; stays differentiable.</summary>
public interface IInputDefense : IDefense
{
    /// <summary>Wraps <paramref name="classifier"/> so that inputs pass through the transformation first; the result does not own it.</summary>
    IDifferentiableClassifier Apply(IDifferentiableClassifier classifier);
}

/// <summary>A training defense (distillation, saturation, adversarial training, DP-SGD): fits a hardened classifier.</summary>
/// <typeparam name="TResult">The hardened classifier and its training record.</typeparam>
public interface ITrainingDefense<out TResult> : IDefense
{
    /// <summary>Trains on <paramref name="train"/> and returns the hardened classifier; the caller disposes it.</summary>
    /// <param name="train">Training data.</param>
    /// <param name="validation">Optional validation data (reports, early stopping).</param>
    /// <param name="progress">Receives one report per epoch of every training run.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    TResult Fit(LabeledData train, LabeledData? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>The verdict of a detector on a batch of queries.</summary>
/// <param name="Flagged">Per-query flags [N] (bool): true where the detector considers the query part of an attack.</param>
/// <param name="Reason">Why, in a line, when any query is flagged.</param>
public sealed record QueryVerdict(Tensor Flagged, string? Reason) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Flagged.Dispose();
}

/// <summary>
/// A detector that watches a query stream (e.g. stateful query-similarity detection). It is applied as a decorator
/// (<see cref="Detection.MonitoredClassifier"/>) that shows it every query batch before the model answers, so black-box
/// attacks meet it without knowing of it.
/// </summary>
public interface IQueryDetector : IDefense
{
    /// <summary>Inspects a batch of queries [N, ...] (and remembers them, for stateful detectors).</summary>
    QueryVerdict Inspect(Tensor queries);
}

/// <summary>A data defense: filters or verifies a training set before training.</summary>
/// <typeparam name="TReport">What the defense found (e.g. which samples were removed and why).</typeparam>
public interface IDataDefense<out TReport> : IDefense
{
    /// <summary>Inspects <paramref name="data"/> and reports; the data are not modified.</summary>
    TReport Inspect(LabeledData data, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences over the defense interfaces.</summary>
public static class DefenseExtensions
{
    /// <summary>Trains on <paramref name="train"/> without validation or progress.</summary>
    public static TResult Fit<TResult>(this ITrainingDefense<TResult> defense, LabeledData train, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defense);
        return defense.Fit(train, null, null, cancellationToken);
    }
}
