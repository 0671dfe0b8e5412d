namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// Label flipping (Biggio et al. 2012; the label-noise attacks of the poisoning literature): the attacker who can
/// write to part of the training set changes the labels of a budget of points — chosen at random or, with a
/// surrogate model, the points nearest its decision boundary — either to other classes at large or from one class a
/// to one class b. Threat model: write access to training labels (<see cref="ModelAccess.TrainingData"/>), no access
/// to the victim model; the <see cref="FlipSelection.NearestBoundary"/> variant uses a surrogate trained by the attacker
/// (any <see cref="IClassifier"/>: only its probabilities are read). Every flipped label differs from the original one
/// and exactly the requested number of labels is flipped.
/// </summary>
public sealed class LabelFlipping : IPoisoningAttack<LabeledData, PoisonedData>
{
    private readonly LabelFlipOptions _options;
    private readonly IClassifier? _surrogate;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="surrogate">The attacker's model, needed for <see cref="FlipSelection.NearestBoundary"/> (not owned).</param>
    /// <exception cref="ArgumentException">The selection needs a surrogate and none was given.</exception>
    public LabelFlipping(LabelFlipOptions? options = null, IClassifier? surrogate = null)
    {
        _options = (options ?? new LabelFlipOptions()).Validated();
        if (_options.Selection == FlipSelection.NearestBoundary && surrogate is null)
            throw new ArgumentException("Selection NearestBoundary needs a surrogate classifier.", nameof(surrogate));
        _surrogate = surrogate;
    }

    /// <summary>A copy of the settings.</summary>
    public LabelFlipOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new(
        _options.Mode == LabelFlipMode.ClassPair ? "Label flip a→b" : "Label flip", AttackFamily.Poisoning, ModelAccess.TrainingData, Papers.Biggio2012);

    /// <summary>The number of labels <see cref="Poison"/> flips on a set of <paramref name="eligible"/> eligible points.</summary>
    public int CountFor(int eligible) => _options.Budget ?? (int)Math.Round(_options.Fraction * eligible, MidpointRounding.AwayFromZero);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The classes named by the options do not exist in the data, the budget exceeds the eligible points, or the surrogate does not fit the data.</exception>
    public PoisonedData Poison(LabeledData clean, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        cancellationToken.ThrowIfCancellationRequested();
        var o = _options;
        if (o.Mode == LabelFlipMode.ClassPair && (o.SourceClass >= clean.ClassCount || o.TargetClass >= clean.ClassCount))
            throw new ArgumentException($"SourceClass {o.SourceClass} and TargetClass {o.TargetClass} must lie in [0, {clean.ClassCount}).", nameof(clean));
        if (_surrogate is not null && o.Selection == FlipSelection.NearestBoundary && _surrogate.ClassCount != clean.ClassCount)
            throw new ArgumentException($"The surrogate has {_surrogate.ClassCount} classes but the data {clean.ClassCount}.", nameof(clean));

        var labels = clean.Labels.cpu().data<long>().ToArray();
        var eligible = Enumerable.Range(0, labels.Length)
            .Where(i => o.Mode == LabelFlipMode.AnyClass || labels[i] == o.SourceClass).ToArray();
        var count = CountFor(eligible.Length);
        if (count > eligible.Length)
            throw new ArgumentException($"The attack asks to flip {count} labels but only {eligible.Length} points are eligible.", nameof(clean));

        var random = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
        int[] chosen;
        double[][]? probabilities = null;
        if (o.Selection == FlipSelection.Random)
        {
            var order = (int[])eligible.Clone();
            random.Shuffle(order);
            chosen = order.Take(count).ToArray();
        }
        else
        {
            probabilities = SurrogateProbabilities(clean, eligible, cancellationToken);
            var margins = new double[eligible.Length];
            for (var k = 0; k < eligible.Length; k++)
                margins[k] = Margin(probabilities[k], (int)labels[eligible[k]]);
            chosen = Enumerable.Range(0, eligible.Length).OrderBy(k => margins[k]).ThenBy(k => eligible[k])
                .Take(count).Select(k => eligible[k]).ToArray();
        }

        var rowOf = probabilities is null ? null : eligible.Select((index, k) => (index, k)).ToDictionary(p => p.index, p => p.k);
        var poisoned = (long[])labels.Clone();
        foreach (var i in chosen)
        {
            var y = (int)labels[i];
            poisoned[i] = o.Mode switch
            {
                LabelFlipMode.ClassPair => o.TargetClass,
                _ when probabilities is not null => RunnerUp(probabilities[rowOf![i]], y),
                _ => OtherClass(random, y, clean.ClassCount),
            };
        }
        var data = new LabeledData(clean.Features.clone(), tensor(poisoned).to(clean.Labels.device), clean.ClassCount, clean.ClassNames, clean.FeatureNames);
        return new PoisonedData(data, chosen.Select(i => (long)i), Descriptor.Name);
    }

    private double[][] SurrogateProbabilities(LabeledData clean, int[] eligible, CancellationToken cancellationToken)
    {
        var rows = new double[eligible.Length][];
        const int batch = 1000;
        for (var start = 0; start < eligible.Length; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var len = Math.Min(batch, eligible.Length - start);
            var idx = tensor(eligible.Skip(start).Take(len).Select(i => (long)i).ToArray(), device: clean.Features.device);
            var p = _surrogate!.PredictProbabilities(clean.Features.index_select(0, idx)).to_type(ScalarType.Float64).cpu();
            var flat = p.data<double>().ToArray();
            var c = (int)p.shape[1];
            for (var k = 0; k < len; k++) rows[start + k] = flat.AsSpan(k * c, c).ToArray();
        }
        return rows;
    }

    /// <summary>log p_y − max_{j≠y} log p_j, which equals the logit margin z_y − max_{j≠y} z_j.</summary>
    private static double Margin(double[] p, int y)
    {
        const double tiny = 1e-300;
        var other = double.NegativeInfinity;
        for (var j = 0; j < p.Length; j++)
            if (j != y) other = Math.Max(other, Math.Log(Math.Max(p[j], tiny)));
        return Math.Log(Math.Max(p[y], tiny)) - other;
    }

    private static int RunnerUp(double[] p, int y)
    {
        var best = -1;
        for (var j = 0; j < p.Length; j++)
            if (j != y && (best < 0 || p[j] > p[best])) best = j;
        return best;
    }

    private static int OtherClass(Random random, int y, int classCount)
    {
        var k = random.Next(classCount - 1);
        return k >= y ? k + 1 : k;
    }
}
