namespace NeuralShield.Training;

/// <summary>Settings of <see cref="InProcessTrainingService"/>.</summary>
public sealed class InProcessTrainingOptions : OptionsBase<InProcessTrainingOptions>
{
    /// <summary>
    /// Jobs trained at the same time, each on its own thread (TorchSharp modules are independent). Default 1. Each job
    /// trains with the calling thread's intra-op thread count (<c>torch.set_num_threads</c>, carried to the worker
    /// threads); choose it so that parallelism × threads does not exceed the cores.
    /// </summary>
    public int MaxParallelism { get; set; } = 1;

    /// <inheritdoc />
    protected override void Validate() => Guard.Positive(MaxParallelism, nameof(MaxParallelism));
}
