namespace NeuralShield.Attacks.Extraction;

/// <summary>What an extraction attack hands back: the local copy of the oracle and what it cost.</summary>
public interface IExtractedModel : IDisposable
{
    /// <summary>The substitute, a white-box copy the attacker can differentiate.</summary>
    IDifferentiableClassifier Substitute { get; }

    /// <summary>The samples sent to the oracle.</summary>
    long OracleQueries { get; }
}
