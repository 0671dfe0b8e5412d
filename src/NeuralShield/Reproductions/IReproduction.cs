using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A paper reproduction: the paper's setting over the library's evaluations — it trains the paper's kind of model,
/// runs the experiment and returns the measured numbers beside the published ones. <see cref="ReproductionCatalog"/>
/// lists them; <c>neuralshield reproduce NAME</c> runs one.
/// </summary>
internal interface IReproduction
{
    /// <summary>The name on the command line (e.g. "fgsm").</summary>
    string Name { get; }

    /// <summary>One line: paper and setting.</summary>
    string Description { get; }

    /// <summary>The variant keys it accepts (<see cref="ReproductionContext.Variants"/>). Default none.</summary>
    IReadOnlyList<string> VariantKeys => [];

    /// <summary>The data set it reads from <see cref="ReproductionContext.DataDirectory"/>. Default MNIST.</summary>
    ReproductionData Data => ReproductionData.Mnist;

    /// <summary>Runs the experiment.</summary>
    /// <exception cref="ReproductionSettingException">The context does not suit it (data folder, variant value, black box).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken);
}
