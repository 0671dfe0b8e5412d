using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.MLNet;

/// <summary>
/// A black-box classifier over a trained ML.NET model (an <see cref="ITransformer"/>, typically a <c>.zip</c> written by
/// <c>MLContext.Model.Save</c>): a binary classifier (SDCA logistic regression, FastTree, LightGBM, ...) or a multiclass
/// one (SDCA maximum entropy, LightGBM, one-versus-all, ...). Rows of features go to the model's feature column; the
/// answers are read from its score columns: a binary model's <c>Probability</c> column (its <c>Score</c> through the
/// logistic function when it is not calibrated) becomes [1 − p, p]; a multiclass model's <c>Score</c> vector is taken
/// as probabilities when it is one, and through softmax otherwise, with its slots put in class order (slot names that are
/// the class indices 0..C−1, as a label of class numbers gives). Every answered sample is counted in <see cref="QueryCount"/>.
/// </summary>
/// <remarks>
/// White-box attacks need gradients an ML.NET model does not give; the black-box families (query attacks, membership
/// inference, the substitute) run on it. Calls may come from several threads.
/// </remarks>
public sealed class MLNetClassifier : IClassifier
{
    private readonly MLNetClassifierOptions _options;
    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly IReadOnlyList<FeatureDataView.FeatureSlice> _features;
    private readonly int[]? _slotOfClass;
    private readonly string _source;
    private long _queries;

    /// <summary>Loads the ML.NET model saved at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The <c>.zip</c> written by <c>MLContext.Model.Save</c>.</param>
    /// <param name="options">Bounds, feature column, class count; validated and copied. Null: the defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model (truncated, another zip, not a zip), or the model is not a classifier.</exception>
    /// <exception cref="ArgumentException">The options name a column the model lacks, or the class count differs from the model's.</exception>
    public MLNetClassifier(string modelPath, MLNetClassifierOptions? options = null)
        : this(LoadFile(modelPath, options), $"'{modelPath}'")
    {
        ModelPath = modelPath;
    }

    /// <summary>Wraps a trained model already in memory.</summary>
    /// <param name="model">The trained transformer chain.</param>
    /// <param name="inputSchema">The schema of the data it was trained on (what <c>Model.Load</c> gives back).</param>
    /// <param name="options">As for the constructor that takes a path.</param>
    /// <exception cref="InvalidDataException">The model is not a classifier.</exception>
    /// <exception cref="ArgumentException">As for the constructor that takes a path.</exception>
    public MLNetClassifier(ITransformer model, DataViewSchema inputSchema, MLNetClassifierOptions? options = null)
        : this(Check(model, inputSchema, options), "the in-memory model")
    {
    }

    private MLNetClassifier((ITransformer Model, DataViewSchema Schema, MLNetClassifierOptions Options) loaded, string source)
    {
        (_model, _inputSchema, _options) = loaded;
        _source = source;
        _context = Context(_options.Seed);
        (_features, FeatureCount) = FindFeatures();
        DataViewSchema output;
        try
        {
            output = _model.GetOutputSchema(_inputSchema);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"The ML.NET model {_source} does not run on its own input schema: {e.Message}", e);
        }
        var score = output.GetColumnOrNull("Score")
            ?? throw new InvalidDataException($"The ML.NET model {_source} has no Score column: it is not a classifier (its output columns are {Names(output)}).");
        var predicted = output.GetColumnOrNull("PredictedLabel");
        if (score.Type is NumberDataViewType && predicted?.Type is BooleanDataViewType)
        {
            IsBinary = true;
            HasProbability = output.GetColumnOrNull("Probability") is { Type: NumberDataViewType };
            ClassCount = 2;
        }
        else if (score.Type is VectorDataViewType { Size: >= 2, ItemType: NumberDataViewType } vector && predicted?.Type is KeyDataViewType)
        {
            ClassCount = vector.Size;
            _slotOfClass = ClassOrder(score, predicted!.Value);
        }
        else
        {
            throw new InvalidDataException(
                $"The ML.NET model {_source} is not a binary or multiclass classifier: Score is {score.Type} and PredictedLabel is {predicted?.Type.ToString() ?? "absent"}.");
        }
        if (_options.ClassCount is { } declared && declared != ClassCount)
            throw new ArgumentException($"ClassCount is {declared} but the model {_source} scores {ClassCount} classes.", "options");
    }

    /// <summary>The model file, or null for a model given in memory.</summary>
    public string? ModelPath { get; }

    /// <summary>The number of features a sample has (the model's feature column size, or its scalar feature columns).</summary>
    public int FeatureCount { get; }

    /// <summary>The names of the model's input columns that take the features, in the order they are filled.</summary>
    public IReadOnlyList<string> FeatureColumns => _features.Select(f => _inputSchema[f.Column].Name).ToArray();

    /// <summary>Whether the model is a binary classifier (a scalar score; class 1 is the positive label).</summary>
    public bool IsBinary { get; }

    /// <summary>Whether a binary model has a calibrated <c>Probability</c> column (read instead of the logistic of its score).</summary>
    public bool HasProbability { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds => _options.Bounds;

    /// <inheritdoc />
    /// <remarks>The CPU, where ML.NET runs; inputs elsewhere are copied.</remarks>
    public Device Device => CPU;

    /// <inheritdoc />
    public long QueryCount => Interlocked.Read(ref _queries);

    /// <inheritdoc />
    /// <remarks>Samples of any shape whose values number <see cref="FeatureCount"/> (an 8×8 image for 64 pixel features) are flattened in order.</remarks>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is not a floating batch of <see cref="FeatureCount"/> values per sample inside <see cref="Bounds"/>.</exception>
    /// <exception cref="InvalidOperationException">ML.NET failed to score the rows.</exception>
    public Tensor PredictProbabilities(Tensor inputs)
    {
        InputChecks.Inputs(inputs, _options.Bounds, nameof(inputs));
        if (inputs.shape.Skip(1).Aggregate(1L, (a, b) => a * b) != FeatureCount)
            throw new ArgumentException(
                $"inputs of shape [{string.Join(", ", inputs.shape)}] do not match the model {_source}: it takes rows of {FeatureCount} features, so inputs must be [N, {FeatureCount}] (or samples of {FeatureCount} values, flattened in order).",
                nameof(inputs));
        var rows = checked((int)inputs.shape[0]);
        Interlocked.Add(ref _queries, rows);
        float[] values;
        using (var x = inputs.detach().cpu().to_type(ScalarType.Float32).contiguous())
            values = x.data<float>().ToArray();
        var view = new FeatureDataView(_inputSchema, _features, values, rows, FeatureCount);
        float[] probabilities;
        try
        {
            probabilities = Score(_model.Transform(view), rows);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
        {
            throw new InvalidOperationException($"ML.NET failed to score {rows} rows with the model {_source}: {e.Message}", e);
        }
        return tensor(probabilities, [rows, ClassCount]);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ML.NET model {_source}: {(IsBinary ? "binary" : $"{ClassCount}-class")}, {FeatureCount} features in {string.Join(", ", FeatureColumns)}, bounds {Bounds}";

    private float[] Score(IDataView scored, int rows)
    {
        var result = new float[rows * ClassCount];
        if (IsBinary)
        {
            var column = HasProbability ? "Probability" : "Score";
            var p = scored.GetColumn<float>(column).ToArray();
            for (var i = 0; i < rows; i++)
            {
                var positive = HasProbability ? p[i] : 1f / (1f + MathF.Exp(-p[i]));
                result[2 * i] = 1f - positive;
                result[2 * i + 1] = positive;
            }
            return result;
        }
        var r = 0;
        foreach (var scores in scored.GetColumn<float[]>("Score"))
        {
            var row = result.AsSpan(r * ClassCount, ClassCount);
            for (var c = 0; c < ClassCount; c++) row[c] = scores[_slotOfClass?[c] ?? c];
            r++;
        }
        // Not a probability vector (an uncalibrated one-versus-all, a non-calibrated SDCA): softmax, as for logits.
        for (var i = 0; i < rows; i++)
        {
            var row = result.AsSpan(i * ClassCount, ClassCount);
            var sum = 0f;
            var negative = false;
            foreach (var v in row) { sum += v; negative |= v < 0; }
            if (!negative && Math.Abs(sum - 1f) <= 1e-3f) continue;
            var max = float.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            var total = 0f;
            for (var c = 0; c < row.Length; c++) total += row[c] = MathF.Exp(row[c] - max);
            for (var c = 0; c < row.Length; c++) row[c] /= total;
        }
        return result;
    }

    /// <summary>
    /// For each class index c, the score slot whose label value is c: the values are the score's slot names or, without
    /// them, the key values of the predicted label (the original labels the pipeline mapped to keys). Null when they are
    /// not the class indices 0..C−1 (slot order is then class order).
    /// </summary>
    private int[]? ClassOrder(DataViewSchema.Column score, DataViewSchema.Column predicted)
    {
        var slots = Annotation(score, "SlotNames") ?? Annotation(predicted, "KeyValues");
        if (slots is null || slots.Length != ClassCount) return null;
        var order = new int[ClassCount];
        Array.Fill(order, -1);
        for (var s = 0; s < slots.Length; s++)
        {
            if (!double.TryParse(slots[s], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value != Math.Floor(value)
                || value < 0 || value >= ClassCount || order[(int)value] >= 0)
                return null;
            order[(int)value] = s;
        }
        return order;
    }

    /// <summary>The values of a vector annotation as invariant text, or null when the column has none.</summary>
    private static string[]? Annotation(DataViewSchema.Column column, string kind)
    {
        if (column.Annotations.Schema.GetColumnOrNull(kind) is not { Type: VectorDataViewType vector }) return null;
        return (string[])typeof(MLNetClassifier).GetMethod(nameof(AnnotationText), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(vector.ItemType.RawType).Invoke(null, [column, kind])!;
    }

    private static string[] AnnotationText<T>(DataViewSchema.Column column, string kind)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue(kind, ref values);
        return values.DenseValues().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    private (IReadOnlyList<FeatureDataView.FeatureSlice>, int) FindFeatures()
    {
        var schema = _inputSchema;
        if (_options.FeatureColumnName is { } name)
        {
            var column = schema.GetColumnOrNull(name)
                ?? throw new ArgumentException($"FeatureColumnName is '{name}' but the model {_source} has no such input column; its input columns are {Names(schema)}.", "options");
            return column.Type switch
            {
                VectorDataViewType { Size: > 0, ItemType: var item } v when item == NumberDataViewType.Single => ([new(column.Index, 0, v.Size)], v.Size),
                _ when column.Type == NumberDataViewType.Single => ([new(column.Index, 0, 0)], 1),
                _ => throw new ArgumentException($"The input column '{name}' of {_source} is {column.Type}; a float vector of known size or a float is needed.", "options"),
            };
        }
        var vectors = schema.Where(c => c is { IsHidden: false, Type: VectorDataViewType { Size: > 0 } v } && ((VectorDataViewType)c.Type).ItemType == NumberDataViewType.Single
                                        && c.Name != _options.LabelColumnName).ToArray();
        if (vectors.Length == 1)
        {
            var size = ((VectorDataViewType)vectors[0].Type).Size;
            return ([new(vectors[0].Index, 0, size)], size);
        }
        var scalars = schema.Where(c => !c.IsHidden && c.Type == NumberDataViewType.Single && c.Name != _options.LabelColumnName).ToArray();
        if (vectors.Length == 0 && scalars.Length > 0)
            return (scalars.Select((c, i) => new FeatureDataView.FeatureSlice(c.Index, i, 0)).ToArray(), scalars.Length);
        throw new ArgumentException(
            $"The model {_source} has {(vectors.Length == 0 ? "no float feature column" : $"{vectors.Length} float vector columns")} among its input columns {Names(schema)}; set FeatureColumnName.",
            "options");
    }

    /// <summary>An ML.NET context that knows the tree learners' model formats (FastTree, LightGBM) whether or not the caller's code touched them.</summary>
    private static MLContext Context(int seed)
    {
        var context = new MLContext(seed);
        context.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Trainers.FastTree.FastTreeBinaryModelParameters).Assembly);
        context.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Trainers.LightGbm.LightGbmBinaryModelParameters).Assembly);
        return context;
    }

    private static string Names(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));

    private static (ITransformer, DataViewSchema, MLNetClassifierOptions) LoadFile(string modelPath, MLNetClassifierOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var validated = (options ?? new MLNetClassifierOptions()).Validated();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"The ML.NET model file '{modelPath}' does not exist.", modelPath);
        try
        {
            var model = Context(validated.Seed).Model.Load(modelPath, out var schema);
            if (schema is null || schema.Count == 0)
                throw new InvalidDataException($"'{modelPath}' holds no input schema: save the model with MLContext.Model.Save(model, data.Schema, path).");
            return (model, schema, validated);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{modelPath}' is not an ML.NET model (a .zip written by MLContext.Model.Save): {e.Message}", e);
        }
    }

    private static (ITransformer, DataViewSchema, MLNetClassifierOptions) Check(ITransformer model, DataViewSchema inputSchema, MLNetClassifierOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        return (model, inputSchema, (options ?? new MLNetClassifierOptions()).Validated());
    }
}
