namespace NeuralShield.Defenses.Detection;

/// <summary>
/// A classifier that shows every query batch to a detector before answering: the detection defenses of a black-box
/// deployment. Attacks call it like any classifier; they meet the detector without knowing of it.
/// </summary>
public sealed class MonitoredClassifier : ClassifierDecorator
{
    private long _flagged;

    /// <summary>Wraps <paramref name="inner"/> (not owned) with <paramref name="detector"/>.</summary>
    public MonitoredClassifier(IClassifier inner, IQueryDetector detector, DetectionResponse response = DetectionResponse.Record) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(detector);
        Guard.Defined(response, nameof(response));
        Detector = detector;
        Response = response;
    }

    /// <summary>The detector.</summary>
    public IQueryDetector Detector { get; }

    /// <summary>What happens to a batch with flagged queries.</summary>
    public DetectionResponse Response { get; }

    /// <summary>Queries flagged so far.</summary>
    public long FlaggedQueries => Interlocked.Read(ref _flagged);

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs)
    {
        using (var verdict = Detector.Inspect(inputs))
        {
            var flagged = verdict.Flagged.sum().item<long>();
            if (flagged > 0)
            {
                Interlocked.Add(ref _flagged, flagged);
                if (Response == DetectionResponse.Reject)
                    throw new QueryRejectedException($"{Detector.Descriptor.Name} flagged {flagged} of {inputs.shape[0]} queries: {verdict.Reason ?? "suspected attack"}.", flagged);
            }
        }
        return Inner.PredictProbabilities(inputs);
    }
}
