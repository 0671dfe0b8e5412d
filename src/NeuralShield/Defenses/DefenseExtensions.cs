namespace NeuralShield.Defenses;

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
