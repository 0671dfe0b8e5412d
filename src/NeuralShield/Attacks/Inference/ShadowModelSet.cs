using NeuralShield.Defenses.Output;
using NeuralShield.Defenses;

namespace NeuralShield.Attacks.Inference;

/// <summary>
/// Shadow models trained on the attacker's data pool, with the role (in, out, unused) of every pool record for each
/// shadow. The set owns its models (disposing it disposes them) but not the pool, which must outlive it. Shadow
/// attacks (<see cref="ShadowModelAttack"/>, <see cref="ThresholdAttack"/>, <see cref="Lira"/>) can share one set, and
/// <see cref="WithOutputDefense"/> shows the shadows through the same output defense as a defended target.
/// </summary>
public sealed class ShadowModelSet : IDisposable
{
    private readonly Trained _trained;
    private readonly IClassifier[] _classifiers;
    private readonly bool _owns;

    /// <summary>What a set and the views made from it share: the pool, the models, the roles, and whether the models are disposed.</summary>
    private sealed record Trained(LabeledData Pool, IReadOnlyList<TrainedModel> Models, ShadowRole[][] Roles, TimeSpan Elapsed)
    {
        public bool Disposed { get; set; }
    }

    private ShadowModelSet(Trained trained, IClassifier[] classifiers, bool owns) => (_trained, _classifiers, _owns) = (trained, classifiers, owns);

    /// <summary>Whether the set that owns the models (this one, or the one this view was made from) has been disposed.</summary>
    internal bool IsDisposed => _trained.Disposed;

    /// <summary>The attacker's pool the shadows were trained on (not owned).</summary>
    public LabeledData Pool => _trained.Pool;

    /// <summary>Number of shadow models.</summary>
    public int Count => _classifiers.Length;

    /// <summary>The number of classes of the shadows (the pool's).</summary>
    public int ClassCount => Pool.ClassCount;

    /// <summary>The trained shadow models.</summary>
    public IReadOnlyList<TrainedModel> Models => _trained.Models;

    /// <summary>The shadows as the attacker queries them (through the output defense of <see cref="WithOutputDefense"/>, if any).</summary>
    public IReadOnlyList<IClassifier> Classifiers => _classifiers;

    /// <summary>Wall-clock time of training all shadows.</summary>
    public TimeSpan TrainingTime => _trained.Elapsed;

    /// <summary>The role of pool record <paramref name="record"/> for shadow <paramref name="shadow"/>.</summary>
    public ShadowRole Role(int shadow, int record) => _trained.Roles[shadow][record];

    /// <summary>The pool indices with <paramref name="role"/> for shadow <paramref name="shadow"/>, ascending.</summary>
    public IReadOnlyList<int> Indices(int shadow, ShadowRole role) =>
        Enumerable.Range(0, Pool.Count).Where(i => _trained.Roles[shadow][i] == role).ToArray();

    /// <summary>A view of these shadows whose outputs pass through <paramref name="defense"/>; it does not own the models (dispose this set, not the view).</summary>
    public ShadowModelSet WithOutputDefense(IOutputDefense defense)
    {
        ArgumentNullException.ThrowIfNull(defense);
        var defended = _classifiers.Select(c => defense.Apply(c)).ToArray();
        return new ShadowModelSet(_trained, defended, owns: false);
    }

    /// <summary>
    /// Trains <see cref="ShadowTrainingOptions.Count"/> shadows on <paramref name="pool"/> (the attacker's data from
    /// the target's distribution, inside the recipe's bounds).
    /// </summary>
    /// <exception cref="ArgumentException">The pool is too small for the sampling (the message gives the sizes).</exception>
    public static ShadowModelSet Train(LabeledData pool, ShadowTrainingOptions options, RunOptions? run = null, CancellationToken cancellationToken = default)
    {
        var progress = run?.Messages;
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        InputChecks.Inputs(pool.Features, o.Recipe.Bounds, nameof(pool));
        var roles = Assign(pool.Count, o);
        var watch = Stopwatch.StartNew();
        var jobs = new List<TrainingJob>(o.Count);
        try
        {
            for (var k = 0; k < o.Count; k++)
            {
                var recipe = o.Recipe.Copy();
                recipe.Training.Seed = unchecked(o.Recipe.Training.Seed + 1 + k);
                var inIndices = Enumerable.Range(0, pool.Count).Where(i => roles[k][i] == ShadowRole.In).Select(i => (long)i).ToArray();
                jobs.Add(new TrainingJob($"shadow {k + 1}", recipe, pool.Subset(inIndices), SeedOffset: 1 + k, o.Step, o.PoolSource?.Select(inIndices)));
            }
            // Without a service of the caller's, shadows that stack (MLPs, one training-set size) train as one stacked
            // ensemble: the same models up to floating-point summation order, in one loop instead of Count.
            var reports = progress is null ? null : new ShadowProgress(progress, o.Count);
            var trained = (o.TrainingService is { } service ? service.TrainAll(jobs, reports, cancellationToken)
                : (o.MaxParallelism == 1 ? StackedTrainingService.TryTrainAll(jobs, reports, cancellationToken) : null)
                  ?? new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = o.MaxParallelism }).TrainAll(jobs, reports, cancellationToken)).ToArray();
            if (trained.Length != o.Count)
            {
                foreach (var m in trained) m.Dispose();
                throw new InvalidOperationException($"The training service returned {trained.Length} models for {o.Count} jobs.");
            }
            return new ShadowModelSet(new Trained(pool, trained, roles, watch.Elapsed), trained.Select(m => (IClassifier)m.Classifier).ToArray(), owns: true);
        }
        finally
        {
            foreach (var j in jobs) j.Data.Dispose();
        }
    }

    private sealed class ShadowProgress(IProgress<string> inner, int count) : IProgress<TrainingJobReport>
    {
        public void Report(TrainingJobReport value) =>
            inner.Report($"shadow {value.Index + 1}/{count}: trained on {value.Records} records ({value.Training.Elapsed.TotalSeconds:F1} s)");
    }

    private static ShadowRole[][] Assign(int n, ShadowTrainingOptions o)
    {
        var roles = Enumerable.Range(0, o.Count).Select(_ => new ShadowRole[n]).ToArray();
        switch (o.Sampling)
        {
            case ShadowSampling.Disjoint:
            {
                var share = n / o.Count;
                var size = o.TrainSize ?? share / 2;
                if (size < 1 || 2 * size > share)
                    throw new ArgumentException(
                        $"The pool of {n} records cannot give {o.Count} disjoint shadows {2 * Math.Max(size, 1)} records each (train size {Math.Max(size, 1)} and as many held out); " +
                        "use fewer shadows, a smaller TrainSize or Overlapping sampling.", "pool");
                var perm = Permutation(n, o.Seed);
                for (var k = 0; k < o.Count; k++)
                {
                    for (var i = 0; i < size; i++) roles[k][perm[k * share + i]] = ShadowRole.In;
                    for (var i = size; i < 2 * size; i++) roles[k][perm[k * share + i]] = ShadowRole.Out;
                }
                break;
            }
            case ShadowSampling.Overlapping:
            {
                var size = o.TrainSize ?? n / 4;
                if (size < 1 || 2 * size > n)
                    throw new ArgumentException($"The pool of {n} records cannot give shadows {2 * Math.Max(size, 1)} distinct records each (train size {Math.Max(size, 1)} and as many held out).", "pool");
                for (var k = 0; k < o.Count; k++)
                {
                    var perm = Permutation(n, unchecked(o.Seed * 1_000_003 + k + 1));
                    for (var i = 0; i < size; i++) roles[k][perm[i]] = ShadowRole.In;
                    for (var i = size; i < 2 * size; i++) roles[k][perm[i]] = ShadowRole.Out;
                }
                break;
            }
            case ShadowSampling.RandomHalves:
            {
                if (n < 2) throw new ArgumentException($"The pool of {n} records is too small for RandomHalves.", "pool");
                var half = o.Count / 2;
                var random = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
                var shadows = Enumerable.Range(0, o.Count).ToArray();
                for (var i = 0; i < n; i++)
                {
                    random.Shuffle(shadows);
                    for (var r = 0; r < o.Count; r++) roles[shadows[r]][i] = r < half ? ShadowRole.In : ShadowRole.Out;
                }
                EqualiseHalves(roles, random);
                for (var k = 0; k < o.Count; k++)
                {
                    if (!roles[k].Contains(ShadowRole.In) || !roles[k].Contains(ShadowRole.Out))
                        throw new ArgumentException($"The pool of {n} records left shadow {k} without training or held-out records.", "pool");
                }
                break;
            }
        }
        return roles;
    }

    /// <summary>
    /// Moves records between shadows, each move keeping the record's number of shadows, until every shadow trains on as
    /// many records as the others: the shadows then train on half the pool, as in Carlini et al., and can be trained as
    /// one stacked ensemble. Where the sizes cannot be equal with every record in exactly half the shadows (an odd pool),
    /// fewer than half the shadows' count of records are held out by one more shadow.
    /// </summary>
    private static void EqualiseHalves(ShadowRole[][] roles, Random random)
    {
        var n = roles[0].Length;
        var sizes = roles.Select(r => r.Count(x => x == ShadowRole.In)).ToArray();
        while (true)
        {
            var big = Array.IndexOf(sizes, sizes.Max());
            var small = Array.IndexOf(sizes, sizes.Min());
            if (sizes[big] - sizes[small] <= 1) break;
            // A record in the big shadow and out of the small one exists, because the big one holds more records.
            var start = random.Next(n);
            for (var j = 0; j < n; j++)
            {
                var i = (start + j) % n;
                if (roles[big][i] != ShadowRole.In || roles[small][i] != ShadowRole.Out) continue;
                roles[big][i] = ShadowRole.Out;
                roles[small][i] = ShadowRole.In;
                sizes[big]--;
                sizes[small]++;
                break;
            }
        }
        // Where the pool's size does not divide evenly, the larger shadows each hold out one more record (a different one
        // each), so that all train on the same number: those few records are in one shadow fewer than half.
        var least = sizes.Min();
        var moved = new HashSet<int>();
        for (var k = 0; k < roles.Length; k++)
        {
            if (sizes[k] == least) continue;
            var start = random.Next(n);
            for (var j = 0; j < n; j++)
            {
                var i = (start + j) % n;
                if (roles[k][i] != ShadowRole.In || !moved.Add(i)) continue;
                roles[k][i] = ShadowRole.Out;
                sizes[k]--;
                break;
            }
        }
    }

    private static long[] Permutation(int n, long seed)
    {
        using var perm = LabeledData.Permutation(n, seed, CPU);
        return perm.data<long>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_owns || _trained.Disposed) return;
        _trained.Disposed = true;
        foreach (var m in _trained.Models) m.Dispose();
    }
}
