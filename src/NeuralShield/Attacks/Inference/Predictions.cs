namespace NeuralShield.Attacks.Inference;

/// <summary>The probability vectors of a classifier on labelled records, as float64 rows, checked.</summary>
internal sealed class Predictions
{
    private Predictions(double[] values, long[] labels, int classes)
    {
        Values = values;
        Labels = labels;
        Classes = classes;
    }

    /// <summary>Row-major probabilities [N × C].</summary>
    public double[] Values { get; }

    /// <summary>The records' labels.</summary>
    public long[] Labels { get; }

    /// <summary>C.</summary>
    public int Classes { get; }

    /// <summary>N.</summary>
    public int Count => Labels.Length;

    /// <summary>Row <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> Row(int i) => Values.AsSpan(i * Classes, Classes);

    /// <summary>
    /// Queries <paramref name="model"/> on <paramref name="data"/> in batches. The model must have the data's class
    /// count and answer finite probabilities; the data must lie inside its bounds. Each failure names
    /// <paramref name="modelName"/> or <paramref name="dataName"/>.
    /// </summary>
    public static Predictions Of(IClassifier model, LabeledData data, int batchSize, string modelName, string dataName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model, modelName);
        ArgumentNullException.ThrowIfNull(data, dataName);
        if (model.ClassCount != data.ClassCount)
            throw new ArgumentException($"{modelName} has {model.ClassCount} classes but {dataName} {data.ClassCount}.", modelName);
        InputChecks.Inputs(data.Features, model.Bounds, dataName);
        var c = model.ClassCount;
        var values = new double[(long)data.Count * c];
        var offset = 0;
        foreach (var (x, y) in data.Batches(batchSize, device: model.Device))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            var p = model.PredictProbabilities(x);
            if (p.dim() != 2 || p.shape[0] != x.shape[0] || p.shape[1] != c)
                throw new ArgumentException($"{modelName} returned shape [{string.Join(", ", p.shape)}]; expected [{x.shape[0]}, {c}].", modelName);
            var host = p.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            for (var i = 0; i < host.Length; i++)
            {
                if (!double.IsFinite(host[i]))
                    throw new ArgumentException(
                        $"{modelName} returned a non-finite probability ({host[i]}) for record {offset / c + i / c} of {dataName}; membership scores need finite probabilities.", modelName);
            }
            host.CopyTo(values, offset);
            offset += host.Length;
        }
        using var labels = data.Labels.cpu();
        return new Predictions(values, labels.data<long>().ToArray(), c);
    }
}
