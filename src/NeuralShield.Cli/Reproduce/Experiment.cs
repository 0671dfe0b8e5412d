using NeuralShield.Reports;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Reproduce;

/// <summary>What every reproduction receives from the command line.</summary>
/// <param name="DataDirectory">MNIST-layout folder (train-first10k-* or train-*, and t10k-*).</param>
/// <param name="Samples">Number of test images to attack (null: the experiment's default).</param>
/// <param name="Seed">Seed of training and of the attacks.</param>
/// <param name="Device">Where tensors live.</param>
/// <param name="CacheDirectory">Where trained models are cached (by experiment, model and seed).</param>
/// <param name="Log">Progress output.</param>
/// <param name="Epochs">Training epochs of the models a defense reproduction trains (null: the experiment's).</param>
/// <param name="TrainSteps">PGD steps of adversarial training (null: the experiment's).</param>
/// <param name="Lambda">Saturation penalty weight λ (null: the experiment's).</param>
/// <param name="Oracle">Full path of an ONNX model to query as a black box (substitute, transfer; null: the experiment's models).</param>
/// <param name="Variants">Choices of the experiment's variants from <c>--variant key=value</c> (null: none given).</param>
/// <param name="Cluster">Gateways of training silos (<c>neuralshield silo</c>) from <c>--cluster</c> (membership on Adult trains its shadows there; null: in process).</param>
public sealed record ExperimentContext(string DataDirectory, int? Samples, long Seed, Device Device, string CacheDirectory, TextWriter Log,
    int? Epochs = null, int? TrainSteps = null, double? Lambda = null, string? Oracle = null, IReadOnlyDictionary<string, string>? Variants = null,
    IReadOnlyList<System.Net.IPEndPoint>? Cluster = null)
{
    /// <summary>
    /// The value chosen for variant <paramref name="key"/>: <paramref name="fallback"/> when not given, otherwise one of
    /// <paramref name="fallback"/> and <paramref name="others"/> (case-insensitive).
    /// </summary>
    /// <exception cref="CliUserException">The value is none of them.</exception>
    public string Variant(string key, string fallback, params string[] others)
    {
        if (Variants is null || !Variants.TryGetValue(key, out var text)) return fallback;
        text = text.Trim().ToLowerInvariant();
        if (text != fallback && !others.Contains(text))
            throw new CliUserException($"--variant {key} must be {string.Join(" or ", new[] { fallback }.Concat(others))}; got '{text}'.");
        return text;
    }
}

/// <summary>The data set a reproduction reads from its <c>--data</c> folder.</summary>
public enum ExperimentDataKind
{
    /// <summary>MNIST in IDX format (the default).</summary>
    Mnist,

    /// <summary>UCI Adult (adult.data, adult.test).</summary>
    Adult,

    /// <summary>Either; the experiment recognises which the folder holds.</summary>
    MnistOrAdult,

    /// <summary>None: the experiment generates what it needs (<c>--data</c> is ignored).</summary>
    None,
}

/// <summary>A paper reproduction: trains the paper's kind of model, runs the experiment, returns measured and published numbers.</summary>
public interface IExperiment
{
    /// <summary>The name on the command line (e.g. "fgsm").</summary>
    string Name { get; }

    /// <summary>One line: paper and setting.</summary>
    string Description { get; }

    /// <summary>The variant keys it accepts from <c>--variant key=value</c>. Default none.</summary>
    IReadOnlyList<string> VariantKeys => [];

    /// <summary>The data set it reads from <c>--data</c>. Default MNIST.</summary>
    ExperimentDataKind Data => ExperimentDataKind.Mnist;

    /// <summary>Runs the experiment.</summary>
    ReproductionReport Run(ExperimentContext context, CancellationToken cancellationToken);
}
