namespace NeuralShield.Learnability;

/// <summary>
/// How learnable is a mapping that a system relies on being secret (survey §4.8; Mehrnezhad et al.: PINs from motion
/// sensors)? Trains a fully connected network on growing numbers of observed (input, output) pairs and measures its
/// held-out accuracy against chance, with Clopper–Pearson intervals. A cryptographically keyed function should stay at
/// chance at every sample count; a function a network can approximate shows the number of pairs an attacker needs.
/// </summary>
public sealed class LearnabilityAudit
{
    private readonly LearnabilityOptions _options;

    /// <summary>Creates the audit with a validated copy of <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (e.g. a budget of 0 samples).</exception>
    public LearnabilityAudit(LearnabilityOptions? options = null) => _options = (options ?? new LearnabilityOptions()).Validated();

    /// <summary>A copy of the settings.</summary>
    public LearnabilityOptions Options => _options.Copy();

    /// <summary>
    /// Audits <paramref name="target"/>: the held-out pairs are drawn (or set aside) once, the training pairs of a smaller
    /// count are a prefix of those of a larger one, and each count trains a fresh network from the same seed.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The target's oracle answers with the wrong width or a class out of range; logged pairs fewer than
    /// Budget + TestSamples; TopK not below the class count.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked between mini-batches).</exception>
    public LearnabilityResult Run(LearnabilityTarget target, IProgress<LearnabilityPoint>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var o = _options;
        if (o.TopK >= target.ClassCount)
            throw new ArgumentException($"TopK ({o.TopK}) must be below the class count of '{target.Name}' ({target.ClassCount}).", nameof(target));
        var random = new Random(unchecked((int)o.Seed ^ (int)(o.Seed >> 32)));
        float[][] testX, trainX;
        int[][] testY, trainY;
        if (target.PairCount is { } pairs)
        {
            if (pairs < o.Budget + o.TestSamples)
                throw new ArgumentException($"'{target.Name}' holds {pairs} pairs; Budget + TestSamples = {o.Budget + o.TestSamples}.", nameof(target));
            var (x, y) = target.Shuffled(random);
            (testX, testY) = (x[..o.TestSamples], y[..o.TestSamples]);
            (trainX, trainY) = (x[o.TestSamples..(o.TestSamples + o.Budget)], y[o.TestSamples..(o.TestSamples + o.Budget)]);
        }
        else
        {
            (testX, testY) = target.Draw(o.TestSamples, random);
            (trainX, trainY) = target.Draw(o.Budget, random);
        }
        var chance = Chance(testY, target, o.TopK);
        var points = new List<LearnabilityPoint>();
        foreach (var count in o.SampleCounts())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            var (mean, scale) = Standardiser(trainX, count, target.InputWidth);
            var xs = Tensor(trainX, count, target.InputWidth, mean, scale);
            var ys = Labels(trainY, count, target.OutputWidth);
            using var model = (o.Network ?? LearnabilityNetworks.Mlp(o.Hidden))(target.InputWidth, target.OutputWidth * target.ClassCount, o.Seed);
            Train(model, xs, ys, target, count, random, cancellationToken);
            model.eval();
            var (accuracy, exact) = Evaluate(model, Tensor(testX, testX.Length, target.InputWidth, mean, scale), Labels(testY, testY.Length, target.OutputWidth), target, o.TopK);
            var (trainAccuracy, _) = Evaluate(model, xs, ys, target, o.TopK);
            var entries = (long)testX.Length * target.OutputWidth;
            var interval = ConfidenceIntervals.ClopperPearson((long)Math.Round(accuracy * entries), entries, o.Level);
            var point = new LearnabilityPoint(count, interval, exact, trainAccuracy, interval.Lower > chance, watch.Elapsed.TotalSeconds);
            points.Add(point);
            progress?.Report(point);
        }
        return new LearnabilityResult(target.Name, chance, points);
    }

    private void Train(nn.Module<Tensor, Tensor> model, Tensor xs, Tensor ys, LearnabilityTarget target, int count, Random random, CancellationToken ct)
    {
        var o = _options;
        model.train();
        using var optimizer = optim.Adam(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        var order = Enumerable.Range(0, count).ToArray();
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < count; start += o.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                using var index = tensor(order[start..Math.Min(count, start + o.BatchSize)].Select(i => (long)i).ToArray());
                var logits = model.forward(xs.index_select(0, index)).view(-1, target.ClassCount);
                var loss = nn.functional.cross_entropy(logits, ys.index_select(0, index).view(-1));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }
    }

    /// <summary>Share of output entries whose class is among the top k logits, and share of rows with every entry right.</summary>
    private static (double Accuracy, double Exact) Evaluate(nn.Module<Tensor, Tensor> model, Tensor xs, Tensor ys, LearnabilityTarget target, int k)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.forward(xs).view(xs.shape[0], target.OutputWidth, target.ClassCount);
        var top = logits.topk(k, dim: 2).indexes;
        var right = top.eq(ys.unsqueeze(2)).any(2);
        var accuracy = right.to_type(ScalarType.Float64).mean().item<double>();
        var exact = right.all(1).to_type(ScalarType.Float64).mean().item<double>();
        return (accuracy, exact);
    }

    /// <summary>
    /// The best held-out accuracy of a predictor that ignores the input: for each output entry, its k most frequent
    /// classes among the held-out pairs themselves (an upper bound for any constant guess, so that the held-out share of
    /// the training majority, which can fall below it, never makes a mapping look learnable).
    /// </summary>
    internal static double Chance(int[][] testY, LearnabilityTarget target, int k)
    {
        double right = 0;
        for (var e = 0; e < target.OutputWidth; e++)
        {
            var counts = new int[target.ClassCount];
            foreach (var y in testY) counts[y[e]]++;
            var top = Enumerable.Range(0, target.ClassCount).OrderByDescending(c => counts[c]).ThenBy(c => c).Take(k).ToHashSet();
            right += testY.Count(y => top.Contains(y[e]));
        }
        return right / ((double)testY.Length * target.OutputWidth);
    }

    private static (float[] Mean, float[] Scale) Standardiser(float[][] x, int count, int width)
    {
        var mean = new float[width];
        var scale = new float[width];
        for (var f = 0; f < width; f++)
        {
            double sum = 0, squares = 0;
            for (var i = 0; i < count; i++) { sum += x[i][f]; squares += (double)x[i][f] * x[i][f]; }
            var m = sum / count;
            var sd = Math.Sqrt(Math.Max(0, squares / count - m * m));
            mean[f] = (float)m;
            scale[f] = sd > 1e-6 ? (float)(1 / sd) : 1f;
        }
        return (mean, scale);
    }

    private static Tensor Tensor(float[][] x, int count, int width, float[] mean, float[] scale)
    {
        var flat = new float[(long)count * width];
        for (var i = 0; i < count; i++)
            for (var f = 0; f < width; f++)
                flat[(long)i * width + f] = (x[i][f] - mean[f]) * scale[f];
        return tensor(flat, [count, width]);
    }

    private static Tensor Labels(int[][] y, int count, int width)
    {
        var flat = new long[(long)count * width];
        for (var i = 0; i < count; i++)
            for (var e = 0; e < width; e++)
                flat[(long)i * width + e] = y[i][e];
        return tensor(flat, [count, width]);
    }
}
