using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// Checks a user's model against the input contract it was given (value scaling and layout) before anything is measured
/// on it: a model fed values it was not trained on answers near chance, or clearly worse than under another contract.
/// The candidates are the scalings 1, 255 and the data's own per-channel mean and standard deviation, each in every
/// layout the model's input admits.
/// </summary>
public static class InputContract
{
    /// <summary>
    /// Accuracy within this share of the way from the most frequent class's share to 100 % counts as near chance (0.2 on
    /// ten balanced classes; 0.78 on UCI Adult, where 76 % earn at most 50K).
    /// </summary>
    public const double ChanceMargin = 0.1;

    /// <summary>A candidate must beat the declared contract by this many points to be named instead.</summary>
    public const double ClearlyBetter = 0.10;

    /// <summary>Measures <paramref name="open"/>(<paramref name="options"/>) on the first samples, then the candidate contracts.</summary>
    /// <param name="open">Opens the model under given options (e.g. <c>o =&gt; ModelImport.Onnx(path, shape, o)</c>); an <see cref="ArgumentException"/> marks a layout the model cannot take.</param>
    /// <param name="options">The declared options.</param>
    /// <param name="samples">Labelled data, channels first, inside the options' bounds.</param>
    /// <param name="maxSamples">How many of the first samples are used (default 300).</param>
    /// <exception cref="ArgumentException">The declared options do not open the model, or <paramref name="maxSamples"/> is below 1.</exception>
    public static InputContractCheck Check(Func<OnnxClassifierOptions, IClassifier> open, OnnxClassifierOptions options, LabeledData samples, int maxSamples = 300)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 1);
        using var part = samples.Take(Math.Min(samples.Count, maxSamples));
        var chance = part.ClassCounts().Max() / (double)part.Count;
        var accuracy = Measure(open, options, part) ?? throw new ArgumentException("The declared options do not open the model.", nameof(options));
        OnnxClassifierOptions? best = null;
        var bestAccuracy = double.NaN;
        foreach (var candidate in Candidates(options, part))
        {
            double? measured;
            try
            {
                measured = Measure(open, candidate, part);
            }
            catch (ArgumentException)
            {
                continue; // a layout the model's input does not admit
            }
            if (measured is { } m && m >= accuracy + ClearlyBetter && !(m <= bestAccuracy))
            {
                best = candidate;
                bestAccuracy = m;
            }
        }
        return new InputContractCheck(accuracy, chance, part.Count, best, bestAccuracy);
    }

    private static double? Measure(Func<OnnxClassifierOptions, IClassifier> open, OnnxClassifierOptions options, LabeledData part)
    {
        var model = open(options);
        try
        {
            return ModelAccuracy.Of(model, part, batchSize: 100);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static IEnumerable<OnnxClassifierOptions> Candidates(OnnxClassifierOptions given, LabeledData part)
    {
        var x = part.Features;
        long[] dims = [0, .. Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i)];
        using var mean = x.mean(dims);
        using var std = x.std(dims);
        var scalings = new List<InputScaling> { InputScaling.None, InputScaling.UnitToPixels };
        if (std.min().item<float>() > 0) scalings.Add(InputScaling.Normalize(mean.data<float>().ToArray(), std.data<float>().ToArray()));
        foreach (var scaling in scalings)
            foreach (var layout in new[] { InputLayout.Nchw, InputLayout.Nhwc, InputLayout.Flat })
            {
                var o = given.Copy();
                o.Scaling = scaling;
                o.Layout = layout;
                yield return o;
            }
    }
}
