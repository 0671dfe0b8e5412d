namespace NeuralShield.Attacks.Inference;

/// <summary>
/// Shadow-model membership inference (Shokri, Stronati, Song, Shmatikov, IEEE S&amp;P 2017, arXiv 1610.05820). Threat
/// model: black box — the attacker queries the target's probability vectors and holds data from the target's
/// distribution (disjoint from, or overlapping with, the target's training set), and knows how the target was built
/// and trained (the shadow recipe). Fit trains k shadow models on the attacker's data (<see cref="ShadowTrainingOptions"/>),
/// labels each shadow's prediction vectors on its own training records "in" (1) and on its held-out records "out" (0),
/// and trains one attack model per class on them (<see cref="ShadowModelAttackOptions.Features"/>). Infer gives each
/// candidate the attack model's probability of "in" for the candidate's class; the threshold is 0.5.
/// Paper settings: 10–100 shadows, attack models are small neural networks, precision ≈ 0.5 on models that generalise
/// (MNIST, Adult) and up to 0.9+ on overfit ones.
/// </summary>
/// <param name="options">The settings; validated and copied.</param>
public sealed class ShadowModelAttack(ShadowModelAttackOptions options) : ShadowMembershipAttack<ShadowModelAttackOptions>(options)
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Shadow-model membership inference", AttackFamily.Inference, ModelAccess.Probabilities, Papers.Shokri2017);

    /// <summary>
    /// Trains the attack models on already trained <paramref name="shadows"/> (e.g. a set shared with other attacks, or
    /// seen through the target's output defense); the shadows' own settings are used, not <see cref="ShadowModelAttackOptions.Shadows"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The target's class count differs from the shadows', or a class lacks in or out shadow records.</exception>
    protected override IFittedInference<IClassifier, LabeledData, MembershipScores> FitOnShadows(IClassifier target, ShadowModelSet shadows,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var o = Settings;
        var classes = shadows.ClassCount;
        var rows = new List<float[]>[o.PerClass ? classes : 1];
        var labels = new List<long>[rows.Length];
        for (var i = 0; i < rows.Length; i++) (rows[i], labels[i]) = (new List<float[]>(), new List<long>());
        for (var k = 0; k < shadows.Count; k++)
        {
            var inIdx = shadows.Indices(k, ShadowRole.In);
            var outIdx = shadows.Indices(k, ShadowRole.Out);
            foreach (var (indices, membership) in new[] { (inIdx, 1L), (outIdx, 0L) })
            {
                if (indices.Count == 0) continue;
                using var subset = shadows.Pool.Subset(indices.Select(i => (long)i).ToArray());
                var p = Predictions.Of(shadows.Classifiers[k], subset, o.BatchSize, $"shadow {k}", "shadow records", cancellationToken);
                for (var r = 0; r < p.Count; r++)
                {
                    var y = (int)p.Labels[r];
                    var slot = o.PerClass ? y : 0;
                    rows[slot].Add(Features(p.Row(r), y, o));
                    labels[slot].Add(membership);
                }
            }
        }
        var models = new AttackModel[rows.Length];
        try
        {
            for (var c = 0; c < rows.Length; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ins = labels[c].Count(l => l == 1);
                if (ins == 0 || ins == labels[c].Count)
                    throw new ArgumentException(
                        $"The shadows' records of class {c} hold {ins} in and {labels[c].Count - ins} out: an attack model needs both. " +
                        "Give the attacker more data of that class or set PerClass = false.", nameof(shadows));
                models[c] = AttackModel.Train(rows[c], labels[c], o, c);
                progress?.Report($"attack model{(o.PerClass ? $" for class {c}" : "")}: {labels[c].Count} shadow records ({ins} in)");
            }
        }
        catch
        {
            foreach (var m in models) m?.Dispose();
            throw;
        }
        return new FittedShadowModelAttack(models, o, classes);
    }

    /// <summary>The attack model's features of one prediction vector.</summary>
    internal static float[] Features(ReadOnlySpan<double> p, int label, ShadowModelAttackOptions o)
    {
        var c = p.Length;
        var features = new List<double>(2 * c + 1);
        double Scaled(ReadOnlySpan<double> row, int j) => o.Scale == FeatureScale.Probability
            ? row[j]
            : Math.Log(Math.Max(row[j], MembershipStatistics.Floor)) - Math.Log(Math.Max(MembershipStatistics.OneMinus(row, j), MembershipStatistics.Floor));
        if (o.Features == AttackFeatures.ClassOrder)
        {
            for (var j = 0; j < c; j++) features.Add(Scaled(p, j));
        }
        else
        {
            var sorted = p.ToArray();
            Array.Sort(sorted, (a, b) => b.CompareTo(a));
            for (var j = 0; j < c; j++) features.Add(Scaled(sorted, j));
            if (o.Features == AttackFeatures.SortedWithTrueClass) features.Add(Scaled(p, label));
        }
        if (o.IncludeLabel)
            for (var j = 0; j < c; j++) features.Add(j == label ? 1 : 0);
        return features.Select(v => (float)v).ToArray();
    }
}

/// <summary>A trained attack model and the standardisation of its features.</summary>
internal sealed class AttackModel : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly float[] _mean;
    private readonly float[] _std;

    private AttackModel(nn.Module<Tensor, Tensor> module, float[] mean, float[] std)
    {
        _module = module;
        _mean = mean;
        _std = std;
    }

    public static AttackModel Train(IReadOnlyList<float[]> rows, IReadOnlyList<long> labels, ShadowModelAttackOptions o, int index)
    {
        var f = rows[0].Length;
        var mean = new float[f];
        var std = new float[f];
        for (var j = 0; j < f; j++)
        {
            double m = 0, s = 0;
            foreach (var r in rows) m += r[j];
            m /= rows.Count;
            foreach (var r in rows) s += (r[j] - m) * (r[j] - m);
            s = Math.Sqrt(s / rows.Count);
            mean[j] = (float)m;
            std[j] = s > 1e-6 ? (float)s : 1f;
        }
        var module = o.AttackModel == AttackModelKind.Mlp
            ? ModelZoo.Mlp(f, [o.Hidden], 2, Activation.ReLU, unchecked(o.Seed + index))
            : ModelZoo.SoftmaxRegression(f, 2, unchecked(o.Seed + index));
        try
        {
            using var data = new LabeledData(Standardise(rows, mean, std), tensor(labels.ToArray()), 2);
            var training = o.AttackTraining.Copy();
            training.Seed = unchecked(training.Seed + index);
            new Trainer(training).Fit(module, data);
            return new AttackModel(module, mean, std);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The probability of "in" for each row.</summary>
    public double[] InProbability(IReadOnlyList<float[]> rows)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Standardise(rows, _mean, _std);
        var p = _module.forward(x).softmax(1)[.., 1];
        return p.to_type(ScalarType.Float64).data<double>().ToArray();
    }

    private static Tensor Standardise(IReadOnlyList<float[]> rows, float[] mean, float[] std)
    {
        var f = mean.Length;
        var values = new float[rows.Count * f];
        for (var i = 0; i < rows.Count; i++)
            for (var j = 0; j < f; j++) values[i * f + j] = (rows[i][j] - mean[j]) / std[j];
        return tensor(values, [rows.Count, f]);
    }

    public void Dispose() => _module.Dispose();
}
