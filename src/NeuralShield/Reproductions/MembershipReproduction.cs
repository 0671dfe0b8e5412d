using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A membership reproduction (Shokri et al.'s attack, LiRA) on UCI Adult or MNIST, with the frame they share written
/// once: the report, the number of shadow models (<see cref="ReproductionContext.Shadows"/> or the reproduction's), and
/// the total time, written last to the metrics as <c>seconds_total</c>.
/// </summary>
/// <param name="name">The name on the command line.</param>
/// <param name="description">One line: paper and setting.</param>
/// <param name="shadowModels">The shadow models of the attack when the context gives none.</param>
internal abstract class MembershipReproduction(string name, string description, int shadowModels) : IReproduction
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Description => description;

    /// <inheritdoc />
    public ReproductionData Data => ReproductionData.MnistOrAdult;

    /// <inheritdoc />
    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var watch = Stopwatch.StartNew();
        var report = new ReproductionReport(Name);
        Run(context, report, context.Shadows ?? shadowModels, cancellationToken);
        report.Metrics["seconds_total"] = watch.Elapsed.TotalSeconds;
        return report;
    }

    /// <summary>Runs the experiment, writing its settings, measurements and the paper's numbers to <paramref name="report"/>.</summary>
    /// <param name="context">The settings.</param>
    /// <param name="report">The report to fill.</param>
    /// <param name="shadowCount">The shadow models of the attack.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    protected abstract void Run(ReproductionContext context, ReproductionReport report, int shadowCount, CancellationToken cancellationToken);
}
