namespace NeuralShield.Learnability;

/// <summary>Settings of <see cref="LearnabilityAudit"/>: the sample counts, the network and its training.</summary>
public sealed class LearnabilityOptions : OptionsBase<LearnabilityOptions>
{
    /// <summary>
    /// The largest number of training pairs. The audit trains at 10², 10³, … below it and at the budget itself (at the
    /// budget only when it is below 100). Default 10,000.
    /// </summary>
    public int Budget { get; set; } = 10_000;

    /// <summary>Held-out pairs the accuracy is measured on. Default 2,000.</summary>
    public int TestSamples { get; set; } = 2_000;

    /// <summary>Widths of the hidden layers of the fully connected network. Default 256, 256.</summary>
    public IReadOnlyList<int> Hidden { get; set; } = [256, 256];

    /// <summary>
    /// The network to train (a factory: input features, output logits, seed → module); null (the default): a fully
    /// connected network of <see cref="Hidden"/> widths (<see cref="LearnabilityNetworks.Mlp"/>).
    /// </summary>
    public Func<int, int, long, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>? Network { get; set; }

    /// <summary>Passes over the training pairs. Default 30.</summary>
    public int Epochs { get; set; } = 30;

    /// <summary>Mini-batch size. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam step size. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>L2 weight decay of Adam. Default 1e-5.</summary>
    public double WeightDecay { get; set; } = 1e-5;

    /// <summary>An output counts as right when its class is among the network's top k (multi-class outputs). Default 1.</summary>
    public int TopK { get; set; } = 1;

    /// <summary>Two-sided confidence of the intervals. Default 0.95.</summary>
    public double Level { get; set; } = 0.95;

    /// <summary>Seed of the pairs drawn, the network's initialisation and the batch order.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    public override LearnabilityOptions Copy()
    {
        var copy = (LearnabilityOptions)MemberwiseClone();
        copy.Hidden = Hidden?.ToArray()!;
        return copy;
    }

    /// <summary>The training sample counts: 10², 10³, … below <see cref="Budget"/>, then the budget.</summary>
    public IReadOnlyList<int> SampleCounts()
    {
        var counts = new List<int>();
        for (long n = 100; n < Budget; n *= 10) counts.Add((int)n);
        counts.Add(Budget);
        return counts;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Budget <= 0) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, $"{nameof(Budget)} must be a positive number of training samples.");
        Guard.Positive(TestSamples, nameof(TestSamples));
        if (Hidden is null || Hidden.Count == 0 || Hidden.Any(h => h <= 0))
            throw new ArgumentException($"{nameof(Hidden)} must list at least one positive layer width.", nameof(Hidden));
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.Positive(TopK, nameof(TopK));
        if (!(Level > 0 && Level < 1)) throw new ArgumentOutOfRangeException(nameof(Level), Level, $"{nameof(Level)} must lie in (0, 1).");
    }
}
