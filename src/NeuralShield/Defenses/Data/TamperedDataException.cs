namespace NeuralShield.Defenses.Data;

/// <summary>Thrown by <see cref="IntegrityManifest.EnsureIntact"/> when a training set differs from its manifest.</summary>
public sealed class TamperedDataException : Exception
{
    /// <summary>Creates the exception for <paramref name="report"/>.</summary>
    public TamperedDataException(IntegrityReport report) : base("The training data do not match their integrity manifest: " + (report ?? throw new ArgumentNullException(nameof(report))).Describe())
    {
        Report = report;
    }

    /// <summary>What differs.</summary>
    public IntegrityReport Report { get; }
}
