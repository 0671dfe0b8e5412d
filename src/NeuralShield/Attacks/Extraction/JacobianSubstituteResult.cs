namespace NeuralShield.Attacks.Extraction;

/// <summary>
/// The substitute trained by <see cref="JacobianSubstitute"/>, its training set in the order it was sent to the
/// oracle, and the record of each round. Owns the substitute and the tensors: dispose it.
/// </summary>
public sealed class JacobianSubstituteResult : IExtractedModel
{
    private readonly TrainedModel _substitute;

    internal JacobianSubstituteResult(TrainedModel substitute, Tensor inputs, Tensor labels, long queries, QueryBudget budget,
        IReadOnlyList<SubstituteRound> rounds, string? stopReason)
    {
        _substitute = substitute;
        TrainingInputs = inputs;
        OracleLabels = labels;
        OracleQueries = queries;
        Budget = budget;
        Rounds = rounds;
        StopReason = stopReason;
    }

    /// <summary>The substitute after the last round (it owns its module).</summary>
    public TorchClassifier Substitute => _substitute.Classifier;

    IDifferentiableClassifier IExtractedModel.Substitute => _substitute.Classifier;

    /// <summary>The last round's training record.</summary>
    public TrainingResult Training => _substitute.Training;

    /// <summary>Samples sent to the oracle (never more than <see cref="Budget"/>).</summary>
    public long OracleQueries { get; }

    /// <summary>The budget the extraction ran under.</summary>
    public QueryBudget Budget { get; }

    /// <summary>The rounds that ran.</summary>
    public IReadOnlyList<SubstituteRound> Rounds { get; }

    /// <summary>The final training set [|S|, ...] on the substitute's device, in the order the samples were sent to the oracle (seeds first).</summary>
    public Tensor TrainingInputs { get; }

    /// <summary>The oracle's labels of <see cref="TrainingInputs"/> [|S|] (int64).</summary>
    public Tensor OracleLabels { get; }

    /// <summary>Whether augmentation stopped early because the next round would have exceeded the budget.</summary>
    public bool StoppedByBudget => StopReason is not null;

    /// <summary>Why augmentation stopped before the last round, when it did.</summary>
    public string? StopReason { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        _substitute.Dispose();
        TrainingInputs.Dispose();
        OracleLabels.Dispose();
    }
}
