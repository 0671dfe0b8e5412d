using TorchSharp.Modules;

namespace NeuralShield.Training;

/// <summary>
/// k multilayer perceptrons of one shape as one module: layer l holds weights [k, in, out] and biases [k, 1, out], and
/// a batch [k, B, in] (model i sees slice i) passes through all k at once with batched matrix products
/// (<c>torch.bmm</c>). Trained with Adam or SGD on the sum of the k mean losses, each model's parameters get
/// exactly the gradient they would alone, and both optimisers act element by element, so k models train in one loop
/// the way k separate loops would train them (up to floating-point summation order).
/// </summary>
internal sealed class StackedMlp : nn.Module<Tensor, Tensor>
{
    private readonly Parameter[] _weights;
    private readonly Parameter[] _biases;
    private readonly Func<Tensor, Tensor> _activation;

    private StackedMlp(Parameter[] weights, Parameter[] biases, Func<Tensor, Tensor> activation, string activationName) : base("StackedMlp")
    {
        _weights = weights;
        _biases = biases;
        _activation = activation;
        ActivationName = activationName;
        for (var l = 0; l < weights.Length; l++)
        {
            register_parameter($"w{l}", weights[l]);
            register_parameter($"b{l}", biases[l]);
        }
    }

    /// <summary>Number of stacked models k.</summary>
    public int Count => (int)_weights[0].shape[0];

    /// <summary>The hidden activation ("relu", "tanh" or "sigmoid").</summary>
    public string ActivationName { get; }

    /// <summary>Logits [k, B, C] of a batch [k, B, in] (or [k, B, ...], flattened per sample).</summary>
    public override Tensor forward(Tensor input)
    {
        var h = input.dim() == 3 ? input : input.reshape(input.shape[0], input.shape[1], -1);
        for (var l = 0; l < _weights.Length; l++)
        {
            h = h.bmm(_weights[l]).add_(_biases[l]);
            if (l < _weights.Length - 1) h = _activation(h);
        }
        return h;
    }

    /// <summary>Whether <paramref name="module"/> is an MLP this class can stack: Flatten (optional), then Linear layers with one kind of element-wise activation (ReLU, Tanh or Sigmoid) between them.</summary>
    public static bool CanStack(nn.Module<Tensor, Tensor> module) => Describe(module) is not null;

    /// <summary>Whether the stackable MLPs <paramref name="modules"/> share one activation and one set of layer shapes.</summary>
    internal static bool SameLayers(IReadOnlyList<nn.Module<Tensor, Tensor>> modules) => SameLayers(modules.Select(m => Describe(m)!.Value).ToArray());

    private static bool SameLayers(IReadOnlyList<(IReadOnlyList<Linear> Layers, string Activation)> shapes) =>
        shapes.All(s => s.Activation == shapes[0].Activation && s.Layers.Select(l => l.weight!.shape).SequenceEqual(shapes[0].Layers.Select(l => l.weight!.shape), ShapeComparer.Instance));

    /// <summary>Stacks <paramref name="modules"/> (each an MLP of the same shape, see <see cref="CanStack"/>), copying their weights.</summary>
    /// <exception cref="ArgumentException">A module is not a stackable MLP, or their shapes differ.</exception>
    public static StackedMlp FromModules(IReadOnlyList<nn.Module<Tensor, Tensor>> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Count == 0) throw new ArgumentException("At least one module is needed.", nameof(modules));
        var shapes = modules.Select(m => Describe(m) ?? throw new ArgumentException(
            "Only MLPs (Flatten, then Linear layers with ReLU, Tanh or Sigmoid between them) can be stacked.", nameof(modules))).ToArray();
        if (!SameLayers(shapes)) throw new ArgumentException("All modules must have the same layers.", nameof(modules));
        using var _ = no_grad();
        var layers = shapes[0].Layers.Count;
        var weights = new Parameter[layers];
        var biases = new Parameter[layers];
        for (var l = 0; l < layers; l++)
        {
            using var w = stack(shapes.Select(s => s.Layers[l].weight!.t()).ToArray());
            using var b = stack(shapes.Select(s => s.Layers[l].bias!.unsqueeze(0)).ToArray());
            weights[l] = new Parameter(w.contiguous().clone(), requires_grad: true);
            biases[l] = new Parameter(b.contiguous().clone(), requires_grad: true);
        }
        var name = shapes[0].Activation;
        Func<Tensor, Tensor> activation = name switch
        {
            "relu" => t => nn.functional.relu(t),
            "tanh" => t => t.tanh(),
            _ => t => t.sigmoid(),
        };
        return new StackedMlp(weights, biases, activation, name);
    }

    /// <summary>Copies the weights of stacked model <paramref name="index"/> into <paramref name="module"/> (an MLP of the same shape).</summary>
    public void CopyTo(int index, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must lie in [0, {Count}).");
        var shape = Describe(module) ?? throw new ArgumentException("module is not a stackable MLP.", nameof(module));
        if (shape.Layers.Count != _weights.Length) throw new ArgumentException("module has another number of layers.", nameof(module));
        using var _ = no_grad();
        for (var l = 0; l < _weights.Length; l++)
        {
            using var w = _weights[l][index].t();
            using var b = _biases[l][index].squeeze(0);
            shape.Layers[l].weight!.copy_(w);
            shape.Layers[l].bias!.copy_(b);
        }
    }

    private static (IReadOnlyList<Linear> Layers, string Activation)? Describe(nn.Module<Tensor, Tensor> module)
    {
        var children = module is Sequential ? module.children().ToList() : [module];
        var layers = new List<Linear>();
        string? activation = null;
        var expectLinear = true;
        foreach (var child in children)
        {
            switch (child)
            {
                case Flatten when layers.Count == 0:
                    continue;
                case Linear linear when expectLinear && linear.bias is not null:
                    layers.Add(linear);
                    expectLinear = false;
                    continue;
                case ReLU or Tanh or Sigmoid when !expectLinear:
                    var name = child switch { ReLU => "relu", Tanh => "tanh", _ => "sigmoid" };
                    if (activation is not null && activation != name) return null;
                    activation = name;
                    expectLinear = true;
                    continue;
                default:
                    return null;
            }
        }
        if (layers.Count == 0 || expectLinear) return null;
        return (layers, activation ?? "relu");
    }

    /// <summary>
    /// Trains the stacked models, model i on <paramref name="train"/>[i] (all the same size) with the settings of
    /// <paramref name="options"/>[i] (the same epochs, batch size, optimiser and learning rate; their own batch-order
    /// seeds): the batches model i sees are the ones <see cref="Trainer"/> would give it. Early stopping is not supported.
    /// Returns each model's training record.
    /// </summary>
    /// <exception cref="ArgumentException">The data sets differ in size or class count, or the options differ in anything but the seed, or ask for early stopping.</exception>
    public IReadOnlyList<TrainingResult> Fit(IReadOnlyList<LabeledData> train, IReadOnlyList<TrainingOptions> options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var k = Count;
        if (train.Count != k) throw new ArgumentException($"train must hold one data set per stacked model ({k}); got {train.Count}.", nameof(train));
        if (options.Count != k) throw new ArgumentException($"options must hold one setting per stacked model ({k}); got {options.Count}.", nameof(options));
        var o = options.Select(x => x.Validated()).ToArray();
        if (o.Any(x => x.Epochs != o[0].Epochs || x.BatchSize != o[0].BatchSize || x.Optimizer != o[0].Optimizer || x.LearningRate != o[0].LearningRate
                       || x.Momentum != o[0].Momentum || x.WeightDecay != o[0].WeightDecay))
            throw new ArgumentException("The stacked models must share epochs, batch size, optimiser, learning rate, momentum and weight decay.", nameof(options));
        if (o.Any(x => x.EarlyStopPatience is not null)) throw new ArgumentException("Early stopping is not supported for stacked training.", nameof(options));
        if (o.Any(x => x.Schedule != LearningRateSchedule.Constant))
            throw new ArgumentException("Stacked training keeps the learning rate constant; set Schedule to LearningRateSchedule.Constant.", nameof(options));
        var n = train[0].Count;
        if (train.Any(t => t.Count != n || t.ClassCount != train[0].ClassCount))
            throw new ArgumentException("Stacked models need training sets of one size and class count.", nameof(train));
        var device = _weights[0].device;
        var epochs = o[0].Epochs;
        var batch = o[0].BatchSize;
        var history = Enumerable.Range(0, k).Select(_ => new List<EpochReport>()).ToArray();
        var watch = Stopwatch.StartNew();
        using var allX = cat(train.Select(t => t.Features.reshape(n, -1)).ToArray()).to(device);
        using var allY = cat(train.Select(t => t.Labels).ToArray()).to(device);
        var trainable = this.parameters().ToList();
        using var optimizer = o[0].Optimizer == OptimizerKind.Adam
            ? (optim.Optimizer)optim.Adam(trainable, lr: o[0].LearningRate, weight_decay: o[0].WeightDecay)
            : optim.SGD(trainable, o[0].LearningRate, momentum: o[0].Momentum, weight_decay: o[0].WeightDecay);
        this.train();
        try
        {
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                using var epochScope = NewDisposeScope();
                // Model i's order is the permutation Trainer draws for it: seeded by its own seed + epoch − 1.
                var perms = stack(o.Select((x, i) => LabeledData.Permutation(n, x.Seed + epoch - 1, CPU) + (long)i * n).ToArray()).to(device);
                var sums = zeros([k], dtype: ScalarType.Float64, device: device);
                for (var start = 0; start < n; start += batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var len = Math.Min(batch, n - start);
                    var idx = perms.narrow(1, start, len).reshape(-1);
                    var x = allX.index_select(0, idx).reshape(k, len, -1);
                    var y = allY.index_select(0, idx);
                    optimizer.zero_grad();
                    var logits = forward(x);
                    var perSample = nn.functional.cross_entropy(logits.reshape(k * len, -1), y, reduction: nn.Reduction.None).reshape(k, len);
                    var perModel = perSample.mean([1L]);
                    perModel.sum().backward();
                    optimizer.step();
                    sums.add_(perModel.detach().to_type(ScalarType.Float64) * len);
                }
                var losses = (sums / n).cpu().data<double>().ToArray();
                if (losses.Any(l => !double.IsFinite(l)))
                    throw new InvalidOperationException($"The training loss of a stacked model became non-finite in epoch {epoch}. Lower the learning rate or check the data.");
                for (var i = 0; i < k; i++) history[i].Add(new EpochReport(epoch, losses[i], null, watch.Elapsed));
            }
        }
        finally
        {
            eval();
        }
        return history.Select(h => new TrainingResult(h, epochs, false, watch.Elapsed)).ToArray();
    }

    private sealed class ShapeComparer : IEqualityComparer<long[]>
    {
        public static ShapeComparer Instance { get; } = new();

        public bool Equals(long[]? a, long[]? b) => a is not null && b is not null && a.SequenceEqual(b);

        public int GetHashCode(long[] obj) => obj.Length;
    }
}
