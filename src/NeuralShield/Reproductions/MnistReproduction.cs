using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A reproduction on MNIST, with the prologue they share written once: it loads the folder's training images
/// (<see cref="ExperimentData.MnistTrain"/>) and test images, runs the experiment on them and disposes both.
/// </summary>
/// <param name="name">The name on the command line.</param>
/// <param name="description">One line: paper and setting.</param>
/// <param name="defaultSamples">
/// The test images handed to the experiment: the first <see cref="ReproductionContext.Samples"/> of them, or this many
/// when none is given; null: all of them, whatever <see cref="ReproductionContext.Samples"/> says (an experiment that
/// evaluates its models on the whole test set and chooses its attacked images itself).
/// </param>
internal abstract class MnistReproduction(string name, string description, int? defaultSamples) : IReproduction
{
    /// <summary>The size of MNIST's test set.</summary>
    private const int TestImages = 10_000;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Description => description;

    /// <inheritdoc />
    public virtual IReadOnlyList<string> VariantKeys => [];

    /// <inheritdoc />
    public ReproductionData Data => ReproductionData.Mnist;

    /// <summary>
    /// The metric keys summarised (mean, min, max) over the seeds of <c>--variant seeds=0,1,2,7</c>, which then runs the
    /// experiment once per seed (<see cref="SeedSweep"/>); null (default): the reproduction takes no such variant.
    /// </summary>
    protected virtual Func<string, bool>? SweptKeys => null;

    /// <inheritdoc />
    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (SweptKeys is { } keys ? SeedSweep.Run(context, Name, c => RunOnce(c, cancellationToken), keys) : null) ?? RunOnce(context, cancellationToken);
    }

    private ReproductionReport RunOnce(ReproductionContext context, CancellationToken cancellationToken)
    {
        var (train, test) = defaultSamples is { } samples
            ? ExperimentData.Mnist(context, samples)
            : ExperimentData.Mnist(context with { Samples = null }, TestImages);
        using (train)
        using (test)
            return Run(context, train, test, cancellationToken);
    }

    /// <summary>Runs the experiment on the loaded images, which the caller disposes.</summary>
    /// <param name="context">The settings.</param>
    /// <param name="train">The training images.</param>
    /// <param name="test">The test images (see the constructor's <c>defaultSamples</c>).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    protected abstract ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken);
}
