namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="ValidRecordSearch"/>.</summary>
public sealed class ValidRecordSearchOptions : OptionsBase<ValidRecordSearchOptions>
{
    /// <summary>The most fields (columns) of a record the search changes. Default 3.</summary>
    public int MaxChangedFields { get; set; } = 3;

    /// <summary>
    /// The moves tried on a numeric field, in multiples of its standard deviation, each up and down (then rounded for an
    /// integer column and clamped to the column's bounds). Default 0.25, 0.5, 1, 2.
    /// </summary>
    public IReadOnlyList<double> NumericSteps { get; set; } = [0.25, 0.5, 1, 2];

    /// <summary>Records scored per model call while candidates are compared. Default 4096.</summary>
    public int CandidateBatchSize { get; set; } = 4096;

    /// <inheritdoc />
    public override ValidRecordSearchOptions Copy()
    {
        var copy = base.Copy();
        copy.NumericSteps = NumericSteps?.ToArray()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(MaxChangedFields, nameof(MaxChangedFields));
        ArgumentNullException.ThrowIfNull(NumericSteps, nameof(NumericSteps));
        if (NumericSteps.Count == 0 || NumericSteps.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new ArgumentException("NumericSteps needs at least one positive, finite step.", nameof(NumericSteps));
        Guard.Positive(CandidateBatchSize, nameof(CandidateBatchSize));
    }
}
