namespace NeuralShield.Models;

/// <summary>
/// A black-box classifier: what a remote prediction API offers. Inputs are batches [N, ...] inside
/// <see cref="Bounds"/>; outputs are class probabilities [N, C]. Every call is counted.
/// </summary>
public interface IClassifier
{
    /// <summary>The number of classes C.</summary>
    int ClassCount { get; }

    /// <summary>The box valid inputs lie in.</summary>
    InputBounds Bounds { get; }

    /// <summary>The device the classifier computes on; attacks allocate there.</summary>
    Device Device { get; }

    /// <summary>The number of input samples this classifier has answered so far (queries).</summary>
    long QueryCount { get; }

    /// <summary>Class probabilities [N, C] for a batch [N, ...], without autograd. Returns a fresh tensor.</summary>
    Tensor PredictProbabilities(Tensor inputs);
}
