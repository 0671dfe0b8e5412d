using NeuralShield.Data;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Defenses;

/// <summary>
/// An output defense: a decorator that changes what a classifier reveals (temperature, top-k, rounding,
/// label only). Every attack runs against the defended classifier unchanged.
/// </summary>
public interface IOutputDefense
{
    /// <summary>Wraps <paramref name="classifier"/>; the result does not own it.</summary>
    IClassifier Apply(IClassifier classifier);
}

/// <summary>An input transformation defense (e.g. squeezing, smoothing) applied before the model; stays differentiable.</summary>
public interface IInputDefense
{
    /// <summary>Wraps <paramref name="classifier"/> so that inputs pass through the transformation first.</summary>
    IDifferentiableClassifier Apply(IDifferentiableClassifier classifier);
}

/// <summary>A training defense (distillation, saturation, adversarial training, DP-SGD): fits a hardened classifier.</summary>
/// <typeparam name="TResult">The hardened classifier and its training record.</typeparam>
public interface ITrainingDefense<out TResult>
{
    /// <summary>Trains on <paramref name="train"/> and returns the hardened classifier.</summary>
    TResult Fit(LabeledData train, CancellationToken cancellationToken = default);
}

/// <summary>A detector that watches a query stream (e.g. stateful query-similarity detection).</summary>
public interface IQueryDetector
{
    /// <summary>Observes a batch of queries from <paramref name="clientId"/>; returns per-query flags [N] (bool).</summary>
    Tensor Observe(string clientId, Tensor queries);
}

/// <summary>A data defense: filters or verifies a training set before training.</summary>
/// <typeparam name="TReport">What the defense found (e.g. which samples were removed and why).</typeparam>
public interface IDataDefense<out TReport>
{
    /// <summary>Inspects <paramref name="data"/> and reports; the data are not modified.</summary>
    TReport Inspect(LabeledData data, CancellationToken cancellationToken = default);
}
