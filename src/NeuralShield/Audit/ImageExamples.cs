using NeuralShield.Reports;

namespace NeuralShield.Audit;

/// <summary>Turns a few samples of a run into report images (<see cref="ImageExample"/>).</summary>
internal static class ImageExamples
{
    /// <summary>The first <paramref name="count"/> clean/adversarial pairs, with the model's class and confidence for each.</summary>
    public static IReadOnlyList<ImageExample> Adversarial(IClassifier model, LabeledData test, Tensor adversarials, int count)
    {
        using var scope = NewDisposeScope();
        var n = (int)Math.Min(count, test.Count);
        if (n == 0) return [];
        var clean = test.Features.slice(0, 0, n, 1).to(model.Device);
        var adversarial = adversarials.slice(0, 0, n, 1).to(model.Device);
        var (cleanClass, cleanConfidence) = Top(model.PredictProbabilities(clean));
        var (advClass, advConfidence) = Top(model.PredictProbabilities(adversarial));
        var labels = test.Labels.slice(0, 0, n, 1).cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var (h, w) = Layout(test.SampleShape);
        var cleanPixels = Rows(clean, h * w);
        var advPixels = Rows(adversarial, h * w);
        return Enumerable.Range(0, n).Select(i => new ImageExample(h, w, advPixels[i], (int)labels[i], advClass[i], advConfidence[i],
            cleanPixels[i], cleanClass[i], cleanConfidence[i])).ToArray();
    }

    /// <summary>One image per synthesised input, labelled with the class it was made for.</summary>
    public static IReadOnlyList<ImageExample> Synthesised(Tensor images, IReadOnlyList<int> targets, Tensor predictions, Tensor confidences)
    {
        using var scope = NewDisposeScope();
        var (h, w) = Layout(images.shape.Skip(1).ToArray());
        var pixels = Rows(images, h * w);
        var predicted = predictions.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var confidence = confidences.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        return Enumerable.Range(0, pixels.Length).Select(i => new ImageExample(h, w, pixels[i], targets[i], (int)predicted[i], confidence[i])).ToArray();
    }

    /// <summary>
    /// Rows and columns of a sample: the last two dimensions of an image ([C, H, W] or [H, W]; the first channel is
    /// shown), a square for a flat sample whose length is a square (e.g. the 64 features of an 8×8 digit), else one row.
    /// </summary>
    internal static (int Height, int Width) Layout(IReadOnlyList<long> sampleShape)
    {
        if (sampleShape.Count >= 2) return ((int)sampleShape[^2], (int)sampleShape[^1]);
        var length = sampleShape.Count == 1 ? (int)sampleShape[0] : 1;
        var side = (int)Math.Round(Math.Sqrt(length));
        return side * side == length ? (side, side) : (1, length);
    }

    private static float[][] Rows(Tensor batch, int pixels)
    {
        var flat = batch.cpu().to_type(ScalarType.Float32).reshape(batch.shape[0], -1).slice(1, 0, pixels, 1).contiguous();
        var values = flat.data<float>().ToArray();
        return Enumerable.Range(0, (int)batch.shape[0]).Select(i => values.AsSpan(i * pixels, pixels).ToArray()).ToArray();
    }

    private static (int[] Class, double[] Confidence) Top(Tensor probabilities)
    {
        var (values, indices) = probabilities.cpu().to_type(ScalarType.Float64).max(1);
        return (indices.data<long>().Select(v => (int)v).ToArray(), values.data<double>().ToArray());
    }
}
