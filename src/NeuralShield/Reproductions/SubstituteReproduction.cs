using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A reproduction of the Jacobian-substitute family (substitute, transfer, keyed transform, detector), with the prologue
/// they share written once: the substitute's variant keys, and the images of <see cref="BlackBoxSupport.Mnist"/> — the
/// training images, the attacker's seeds and the evaluated test images — loaded before the experiment and disposed after.
/// </summary>
/// <param name="name">The name on the command line.</param>
/// <param name="description">One line: paper and setting.</param>
internal abstract class SubstituteReproduction(string name, string description) : IReproduction
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Description => description;

    /// <inheritdoc />
    public IReadOnlyList<string> VariantKeys => BlackBoxSupport.SubstituteVariants;

    /// <inheritdoc />
    public ReproductionData Data => ReproductionData.Mnist;

    /// <inheritdoc />
    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (train, seeds, evaluated) = BlackBoxSupport.Mnist(context);
        using (train)
        using (seeds)
        using (evaluated)
            return Run(context, train, seeds, evaluated, cancellationToken);
    }

    /// <summary>Runs the experiment on the loaded images, which the caller disposes.</summary>
    /// <param name="context">The settings.</param>
    /// <param name="train">The training images.</param>
    /// <param name="seeds">The attacker's seed images (drawn from the test set).</param>
    /// <param name="evaluated">The other test images, evaluated.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    protected abstract ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken);
}
