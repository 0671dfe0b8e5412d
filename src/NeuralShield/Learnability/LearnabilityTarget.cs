namespace NeuralShield.Learnability;

/// <summary>
/// A "secret" mapping to audit: where its (input, output) pairs come from. Inputs are float vectors of
/// <see cref="InputWidth"/>; outputs are <see cref="OutputWidth"/> class indices in [0, <see cref="ClassCount"/>) (one
/// bit: width 1, 2 classes; a digit: width 1, 10 classes; a bit vector: width n, 2 classes).
/// </summary>
public sealed class LearnabilityTarget
{
    private readonly Func<Random, (float[] Input, int[] Output)>? _generate;
    private readonly float[][]? _inputs;
    private readonly int[][]? _outputs;

    private LearnabilityTarget(string name, int inputWidth, int outputWidth, int classCount,
        Func<Random, (float[], int[])>? generate, float[][]? inputs, int[][]? outputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Guard.Positive(inputWidth, nameof(inputWidth));
        Guard.Positive(outputWidth, nameof(outputWidth));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"{nameof(classCount)} must be at least 2.");
        (Name, InputWidth, OutputWidth, ClassCount) = (name, inputWidth, outputWidth, classCount);
        (_generate, _inputs, _outputs) = (generate, inputs, outputs);
    }

    /// <summary>The target's name (in reports).</summary>
    public string Name { get; }

    /// <summary>Features of an input.</summary>
    public int InputWidth { get; }

    /// <summary>Class indices of an output.</summary>
    public int OutputWidth { get; }

    /// <summary>Classes of each output entry.</summary>
    public int ClassCount { get; }

    /// <summary>Logged pairs available (null for a target that draws fresh pairs).</summary>
    public int? PairCount => _inputs?.Length;

    /// <summary>
    /// A function to query: <paramref name="sampleInput"/> draws an input, <paramref name="oracle"/> answers it. Each
    /// answer is checked when drawn (width <paramref name="outputWidth"/>, classes in range).
    /// </summary>
    public static LearnabilityTarget FromOracle(string name, int inputWidth, int outputWidth, int classCount,
        Func<Random, float[]> sampleInput, Func<float[], int[]> oracle)
    {
        ArgumentNullException.ThrowIfNull(sampleInput);
        ArgumentNullException.ThrowIfNull(oracle);
        return new LearnabilityTarget(name, inputWidth, outputWidth, classCount, r =>
        {
            var input = sampleInput(r);
            return (input, oracle(input));
        }, null, null);
    }

    /// <summary>A generator of pairs (for targets whose input depends on the output, e.g. a real-or-random distinguisher).</summary>
    public static LearnabilityTarget FromGenerator(string name, int inputWidth, int outputWidth, int classCount, Func<Random, (float[] Input, int[] Output)> generate)
    {
        ArgumentNullException.ThrowIfNull(generate);
        return new LearnabilityTarget(name, inputWidth, outputWidth, classCount, generate, null, null);
    }

    /// <summary>Logged pairs (e.g. side-channel features and the PIN digit typed): a single class label per input.</summary>
    /// <exception cref="ArgumentException">Fewer than two pairs, ragged inputs, a non-finite feature, or a label outside [0, classCount).</exception>
    public static LearnabilityTarget FromPairs(string name, IReadOnlyList<float[]> inputs, IReadOnlyList<int> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Count < 2) throw new ArgumentException($"{nameof(inputs)} must hold at least two pairs.", nameof(inputs));
        if (labels.Count != inputs.Count) throw new ArgumentException($"{nameof(labels)} must hold one label per input ({inputs.Count}); got {labels.Count}.", nameof(labels));
        var width = inputs[0]?.Length ?? 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null || inputs[i].Length != width || width == 0)
                throw new ArgumentException($"{nameof(inputs)}[{i}] must hold {width} features like the first input.", nameof(inputs));
            if (inputs[i].Any(v => !float.IsFinite(v))) throw new ArgumentException($"{nameof(inputs)}[{i}] holds a value that is not finite.", nameof(inputs));
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"{nameof(labels)}[{i}] = {labels[i]} must lie in [0, {classCount - 1}].", nameof(labels));
        }
        return new LearnabilityTarget(name, width, 1, classCount, null, inputs.Select(x => x.ToArray()).ToArray(), labels.Select(l => new[] { l }).ToArray());
    }

    /// <summary>
    /// Logged pairs from a CSV file: numeric feature columns and one integer label column (the last by default); a first
    /// line that does not parse as numbers is taken as a header. Class count: the largest label + 1 unless given.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">A cell that is not a number, a label that is not a non-negative integer, or rows of different lengths (line named).</exception>
    public static LearnabilityTarget FromCsv(string path, int? labelColumn = null, int? classCount = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no CSV file {path}.", path);
        var inputs = new List<float[]>();
        var labels = new List<int>();
        var lineNumber = 0;
        int? columns = null;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (columns is null && lineNumber == 1 && !cells.All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) continue;
            columns ??= cells.Length;
            if (cells.Length != columns) throw new FormatException($"{path} line {lineNumber}: {cells.Length} cells; the first row has {columns}.");
            var label = labelColumn ?? columns.Value - 1;
            if (label < 0 || label >= columns) throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"{nameof(labelColumn)} must lie in [0, {columns - 1}].");
            if (!int.TryParse(cells[label], NumberStyles.Integer, CultureInfo.InvariantCulture, out var y) || y < 0)
                throw new FormatException($"{path} line {lineNumber}: label '{cells[label]}' is not a non-negative integer.");
            var features = new float[columns.Value - 1];
            for (int c = 0, f = 0; c < cells.Length; c++)
            {
                if (c == label) continue;
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out features[f++]))
                    throw new FormatException($"{path} line {lineNumber}: cell {c + 1} '{cells[c]}' is not a number.");
            }
            inputs.Add(features);
            labels.Add(y);
        }
        return FromPairs(Path.GetFileNameWithoutExtension(path), inputs, labels, classCount ?? Math.Max(2, labels.DefaultIfEmpty(0).Max() + 1));
    }

    /// <summary><paramref name="count"/> fresh pairs of a drawn target, each checked against the declared widths and classes.</summary>
    internal (float[][] Inputs, int[][] Outputs) Draw(int count, Random random)
    {
        var inputs = new float[count][];
        var outputs = new int[count][];
        for (var i = 0; i < count; i++)
        {
            var (x, y) = _generate!(random);
            inputs[i] = Check(x, y);
            outputs[i] = y;
        }
        return (inputs, outputs);
    }

    /// <summary>The logged pairs in an order shuffled by <paramref name="random"/>.</summary>
    internal (float[][] Inputs, int[][] Outputs) Shuffled(Random random)
    {
        var order = Enumerable.Range(0, _inputs!.Length).ToArray();
        random.Shuffle(order);
        return (order.Select(i => _inputs[i]).ToArray(), order.Select(i => _outputs![i]).ToArray());
    }

    private float[] Check(float[] input, int[] output)
    {
        if (input is null || input.Length != InputWidth)
            throw new ArgumentException($"the input sampler of '{Name}' gave {input?.Length ?? 0} features; the target declares InputWidth {InputWidth}.", "sampleInput");
        if (output is null || output.Length != OutputWidth)
            throw new ArgumentException($"the oracle of '{Name}' returned {output?.Length ?? 0} outputs; the target declares OutputWidth {OutputWidth}.", "oracle");
        foreach (var y in output)
            if ((uint)y >= (uint)ClassCount)
                throw new ArgumentException($"the oracle of '{Name}' returned class {y}; classes lie in [0, {ClassCount - 1}].", "oracle");
        return input;
    }
}
