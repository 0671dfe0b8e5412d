using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralShield.Data;

namespace NeuralShield.Tests.MLNet;

/// <summary>A labelled row as ML.NET reads it: a feature vector (its size set per data set) and a label.</summary>
public sealed class MLNetRow
{
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>A multiclass row: the class number as a float, mapped to a key by the pipeline.</summary>
public sealed class MLNetClassRow
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>LabeledData as ML.NET data views, and models trained and saved the way an ML.NET user does.</summary>
internal static class MLNetModels
{
    public static IDataView Binary(MLContext ml, LabeledData data) =>
        ml.Data.LoadFromEnumerable(Rows(data).Select(r => new MLNetRow { Features = r.Features, Label = r.Label == 1 }), Schema<MLNetRow>(data));

    public static IDataView Multiclass(MLContext ml, LabeledData data) =>
        ml.Data.LoadFromEnumerable(Rows(data).Select(r => new MLNetClassRow { Features = r.Features, Label = r.Label }), Schema<MLNetClassRow>(data));

    private static SchemaDefinition Schema<T>(LabeledData data)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, (int)data.FeatureCount);
        return schema;
    }

    private static IEnumerable<(float[] Features, long Label)> Rows(LabeledData data)
    {
        var width = (int)data.FeatureCount;
        var x = data.Features.reshape(data.Count, width).data<float>().ToArray();
        var y = data.Labels.data<long>().ToArray();
        for (var i = 0; i < y.Length; i++) yield return (x.AsSpan(i * width, width).ToArray(), y[i]);
    }

    /// <summary>Trains <paramref name="trainer"/> on <paramref name="train"/> and saves it with its input schema to <paramref name="path"/>.</summary>
    public static ITransformer TrainAndSave<TModel>(MLContext ml, IEstimator<TModel> trainer, IDataView train, string path) where TModel : class, ITransformer
    {
        var model = trainer.Fit(train);
        ml.Model.Save(model, train.Schema, path);
        return model;
    }
}
