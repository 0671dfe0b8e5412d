using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>
/// Property inference by meta-classifier — Ateniese, Mancini, Spognardi, Villani, Vitali, Felici, "Hacking Smart
/// Machines with Smarter Ones: How to Extract Meaningful Data from Machine Learning Classifiers" (2013, arXiv
/// 1306.4447), with the permutation-invariant representation of Ganju, Wang, Yang, Gunter, Borisov, "Property
/// Inference Attacks on Fully Connected Neural Networks using Permutation Invariant Representations" (CCS 2018).
/// <para>
/// Threat model: white box. The attacker holds the target's parameters and knows its architecture and training
/// procedure (<see cref="PropertyInferenceOptions.Recipe"/>), and has records from the same distribution; it wants a
/// global property of the training set the owner did not mean to share — here whether the share of records carrying an
/// attribute is <see cref="PropertyInferenceOptions.PropertyShare"/> or <see cref="PropertyInferenceOptions.ComplementShare"/>.
/// </para>
/// <para>
/// Procedure: train k shadow models on training sets drawn from the pool with the property's share of the attribute
/// and k without (seeded); turn each into a feature vector of its parameters (<see cref="Represent"/>); hold out a
/// fraction; train a meta-classifier (logistic regression or a one-hidden-layer MLP on standardised features) to tell
/// the two sides apart; read the target's parameters the same way and answer with the meta-classifier's probability.
/// The same shadow models are also read as flattened raw weights and a second meta-classifier is trained on them, so
/// every fit reports how much the invariant representation gains.
/// </para>
/// </summary>
public sealed class PropertyInference : IInferenceAttack<ITorchModel, PropertyKnowledge, PropertyQuery, PropertyInferenceResult>
{
    private readonly PropertyInferenceOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public PropertyInference(PropertyInferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>A copy of the validated settings.</summary>
    public PropertyInferenceOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new($"Property inference ({_options.Representation}, {_options.ShadowModelsPerSide}×2 shadows)",
        AttackFamily.Inference, ModelAccess.WhiteBox, Papers.Ateniese2013);

    /// <summary>
    /// The feature vector [D] of <paramref name="model"/>'s parameters in <paramref name="representation"/> (float32,
    /// CPU). The model must be an MLP: Linear layers in order, each taking the previous one's outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The model has parameters outside Linear layers or its layers do not chain.</exception>
    public static Tensor Represent(nn.Module<Tensor, Tensor> model, ParameterRepresentation representation)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = LinearLayers(model, nameof(model));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        Tensor? previous = null; // the permutation of the previous layer's neurons
        for (var l = 0; l < layers.Count; l++)
        {
            var w = layers[l].weight!.detach().cpu().to_type(ScalarType.Float32);
            var b = layers[l].bias?.detach().cpu().to_type(ScalarType.Float32) ?? zeros(w.shape[0]);
            if (representation == ParameterRepresentation.Sorted)
            {
                if (previous is not null) w = w.index_select(1, previous);
                if (l < layers.Count - 1)
                {
                    var key = w.sum(1) + b;
                    var order = key.argsort();
                    w = w.index_select(0, order);
                    b = b.index_select(0, order);
                    previous = order;
                }
            }
            parts.Add(w.flatten());
            parts.Add(b);
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The Linear layers of an MLP, in order, checked to chain (each one's inputs are the previous one's outputs).</summary>
    internal static IReadOnlyList<Linear> LinearLayers(nn.Module<Tensor, Tensor> model, string parameterName)
    {
        var layers = new List<Linear>();
        foreach (var (name, module) in model.named_modules())
        {
            if (!module.named_parameters(false).Any()) continue;
            if (module is not Linear linear)
                throw new ArgumentException($"Layer '{name}' of {parameterName} ({module.GetType().Name}) is not Linear; the parameter representation reads MLPs only.", parameterName);
            if (layers.Count > 0 && layers[^1].weight!.shape[0] != linear.weight!.shape[1])
                throw new ArgumentException($"Layer '{name}' of {parameterName} takes {linear.weight.shape[1]} inputs but the previous Linear layer has {layers[^1].weight!.shape[0]} outputs.", parameterName);
            layers.Add(linear);
        }
        if (layers.Count == 0) throw new ArgumentException($"{parameterName} has no Linear layer.", parameterName);
        return layers;
    }

    /// <summary>
    /// Trains the shadow models and the meta-classifier. <paramref name="target"/> is only checked: its parameters must
    /// have the shapes of the recipe's model.
    /// </summary>
    /// <exception cref="ArgumentException">The target's architecture differs from the recipe's, or the pool's features from the recipe's model.</exception>
    public FittedPropertyInference Fit(ITorchModel target, PropertyKnowledge knowledge, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var progress = options?.Messages;
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(knowledge);
        var o = _options;
        var expectedShapes = Shapes(o.Recipe.Create());
        var targetShapes = LinearLayers(target.Module, nameof(target)).Select(l => l.weight!.shape).ToList();
        if (!expectedShapes.Zip(targetShapes).All(p => p.First.SequenceEqual(p.Second)) || expectedShapes.Count != targetShapes.Count)
            throw new ArgumentException($"target's layers ({Describe(targetShapes)}) differ from the recipe's ({Describe(expectedShapes)}); the shadow models must share the target's architecture.", nameof(target));
        if (target.ClassCount != knowledge.Pool.ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the attacker's pool {knowledge.Pool.ClassCount}.", nameof(target));

        var sorted = new List<Tensor>();
        var flat = new List<Tensor>();
        var labels = new List<float>();
        try
        {
            var total = 2 * o.ShadowModelsPerSide;
            var service = o.TrainingService ?? new InProcessTrainingService();
            // Shadows are trained in rounds of ShadowsPerRound jobs, so that only one round's models and data are held at once.
            for (var start = 0; start < total; start += ShadowsPerRound)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var jobs = new List<TrainingJob>();
                try
                {
                    for (var k = start; k < Math.Min(total, start + ShadowsPerRound); k++)
                    {
                        var hasProperty = k % 2 == 0;
                        var rows = SampleIndicesWithShare(knowledge, o.ShadowTrainingSize, hasProperty ? o.PropertyShare : o.ComplementShare, unchecked(o.Seed * 7919 + k));
                        jobs.Add(new TrainingJob($"shadow {k + 1} ({(hasProperty ? "with" : "without")} property)", o.Recipe, knowledge.Pool.Subset(rows),
                            SeedOffset: unchecked(o.Seed * 7919 + k), Source: o.PoolSource?.Select(rows)));
                    }
                    var reports = progress is null ? null : new RoundProgress(progress, start, total);
                    var shadows = service.TrainAll(jobs, reports, cancellationToken);
                    try
                    {
                        if (shadows.Count != jobs.Count)
                            throw new InvalidOperationException($"The training service returned {shadows.Count} models for {jobs.Count} jobs.");
                        for (var j = 0; j < shadows.Count; j++)
                        {
                            sorted.Add(Represent(shadows[j].Classifier.Module, ParameterRepresentation.Sorted));
                            flat.Add(Represent(shadows[j].Classifier.Module, ParameterRepresentation.Flattened));
                            labels.Add((start + j) % 2 == 0 ? 1f : 0f);
                        }
                    }
                    finally
                    {
                        foreach (var m in shadows) m.Dispose();
                    }
                }
                finally
                {
                    foreach (var j in jobs) j.Data.Dispose();
                }
            }
            // Hold out the last shadows of each side (sides alternate, so the last 2h models hold h of each).
            var heldOut = 2 * Math.Max(1, (int)Math.Round(o.HeldOutFraction * o.ShadowModelsPerSide));
            var trainCount = labels.Count - heldOut;
            using var y = tensor(labels.ToArray());
            var chosen = o.Representation == ParameterRepresentation.Sorted ? sorted : flat;
            var other = o.Representation == ParameterRepresentation.Sorted ? flat : sorted;
            using var x = stack(chosen);
            using var xOther = stack(other);
            var meta = MetaClassifier.Train(x[..trainCount], y[..trainCount], o, o.Seed);
            var heldOutAccuracy = meta.Accuracy(x[trainCount..], y[trainCount..]);
            double sortedAccuracy, flatAccuracy;
            using (var otherMeta = MetaClassifier.Train(xOther[..trainCount], y[..trainCount], o, o.Seed))
            {
                var otherAccuracy = otherMeta.Accuracy(xOther[trainCount..], y[trainCount..]);
                (sortedAccuracy, flatAccuracy) = o.Representation == ParameterRepresentation.Sorted ? (heldOutAccuracy, otherAccuracy) : (otherAccuracy, heldOutAccuracy);
            }
            progress?.Report($"meta-classifier: held-out accuracy {heldOutAccuracy:P1} ({o.Representation}); sorted {sortedAccuracy:P1}, flattened {flatAccuracy:P1}");
            return new FittedPropertyInference(meta, o.Representation, expectedShapes, heldOutAccuracy, sortedAccuracy, flatAccuracy, trainCount, heldOut, knowledge.PropertyName);
        }
        finally
        {
            foreach (var t in sorted.Concat(flat)) t.Dispose();
        }
    }

    /// <summary>Shadow models trained per call to the training service.</summary>
    private const int ShadowsPerRound = 64;

    /// <summary>"shadow models: k of n" every 16 finished shadows, counted over all rounds.</summary>
    private sealed class RoundProgress(IProgress<string> inner, int before, int total) : IProgress<TrainingJobReport>
    {
        public void Report(TrainingJobReport value)
        {
            var done = before + value.Completed;
            if (done % 16 == 0) inner.Report($"shadow models: {done} of {total}");
        }
    }

    IFittedInference<ITorchModel, PropertyQuery, PropertyInferenceResult> IInferenceAttack<ITorchModel, PropertyKnowledge, PropertyQuery, PropertyInferenceResult>.Fit(
        ITorchModel target, PropertyKnowledge knowledge, RunOptions? options, CancellationToken cancellationToken) =>
        Fit(target, knowledge, options, cancellationToken);

    /// <summary>
    /// A seeded training set of <paramref name="size"/> records from <paramref name="knowledge"/>'s pool of which a share
    /// <paramref name="share"/> carries the attribute: how the shadow models' (and an experiment's targets') data are drawn.
    /// Drawn without replacement within each group (with replacement when a group is too small), then shuffled.
    /// </summary>
    public static LabeledData SampleWithShare(PropertyKnowledge knowledge, int size, double share, long seed)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        return knowledge.Pool.Subset(SampleIndicesWithShare(knowledge, size, share, seed));
    }

    /// <summary>The pool indices of <see cref="SampleWithShare"/>'s records, in its order.</summary>
    public static long[] SampleIndicesWithShare(PropertyKnowledge knowledge, int size, double share, long seed)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        Guard.Positive(size, nameof(size));
        Guard.InRange(share, 0, 1, nameof(share));
        var n = size;
        var withCount = (int)Math.Round(share * n);
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var indices = Draw(knowledge.With, withCount, rng).Concat(Draw(knowledge.Without, n - withCount, rng)).ToArray();
        rng.Shuffle(indices);
        return indices;
    }

    private static IEnumerable<long> Draw(IReadOnlyList<long> from, int count, Random rng)
    {
        if (count <= 0) return [];
        if (count > from.Count) return Enumerable.Range(0, count).Select(_ => from[rng.Next(from.Count)]).ToArray();
        var copy = from.ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + rng.Next(copy.Length - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy.Take(count).ToArray();
    }

    private static List<long[]> Shapes(nn.Module<Tensor, Tensor> module)
    {
        using (module) return LinearLayers(module, nameof(PropertyInferenceOptions.Recipe)).Select(l => l.weight!.shape).ToList();
    }

    private static string Describe(IEnumerable<long[]> shapes) => string.Join(", ", shapes.Select(s => $"{s[1]}→{s[0]}"));
}

/// <summary>The meta-classifier: standardisation, then logistic regression or a one-hidden-layer MLP.</summary>
internal sealed class MetaClassifier : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _net;
    private readonly Tensor _mean;
    private readonly Tensor _std;

    private MetaClassifier(nn.Module<Tensor, Tensor> net, Tensor mean, Tensor std)
    {
        _net = net;
        _mean = mean;
        _std = std;
    }

    public static MetaClassifier Train(Tensor x, Tensor y, PropertyInferenceOptions o, long seed)
    {
        using var scope = NewDisposeScope();
        var mean = x.mean([0L]);
        var std = x.std(0L, keepdim: false).clamp_min(1e-6);
        random.manual_seed(seed);
        var d = x.shape[1];
        nn.Module<Tensor, Tensor> net = o.MetaHidden == 0
            ? nn.Sequential(("linear", nn.Linear(d, 1)))
            : nn.Sequential(("hidden", nn.Linear(d, o.MetaHidden)), ("act", nn.ReLU()), ("out", nn.Linear(o.MetaHidden, 1)));
        var z = (x - mean) / std;
        using var optimizer = optim.Adam(net.parameters(), lr: o.MetaLearningRate, weight_decay: o.MetaWeightDecay);
        net.train();
        for (var i = 0; i < o.MetaIterations; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(net.forward(z).squeeze(1), y);
            loss.backward();
            optimizer.step();
        }
        net.eval();
        return new MetaClassifier(net, mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <summary>The probability of the property for each feature vector [M, D] → [M].</summary>
    public Tensor Probabilities(Tensor x)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return _net.forward((x - _mean) / _std).squeeze(1).sigmoid().MoveToOuterDisposeScope();
    }

    public double Accuracy(Tensor x, Tensor y)
    {
        using var p = Probabilities(x);
        using var correct = p.ge(0.5).to_type(ScalarType.Float32).eq(y).to_type(ScalarType.Float32).mean();
        return correct.item<float>();
    }

    public void Dispose()
    {
        _net.Dispose();
        _mean.Dispose();
        _std.Dispose();
    }
}
