namespace NeuralShield.Defenses;

/// <summary>A data defense: filters or verifies a training set before training.</summary>
/// <typeparam name="TReport">What the defense found (e.g. which samples were removed and why).</typeparam>
public interface IDataDefense<out TReport> : IDefense
{
    /// <summary>Inspects <paramref name="data"/> and reports; the data are not modified.</summary>
    TReport Inspect(LabeledData data, CancellationToken cancellationToken = default);
}
