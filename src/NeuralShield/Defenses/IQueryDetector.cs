namespace NeuralShield.Defenses;

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
