using Microsoft.Extensions.Options;
using NeuralShield.Data;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>Settings of a silo's <see cref="TrainingWorker"/> (<see cref="ModelTrainingSiloExtensions.AddModelTraining"/>).</summary>
public sealed class TrainingWorkerOptions
{
    /// <summary>
    /// Jobs trained at the same time on this silo (others wait their turn). Default 1. Choose
    /// <see cref="TorchThreadsPerJob"/> so that jobs × threads fits the silo's cores.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>
    /// libtorch's intra-op threads, set on the thread that trains each job before it trains; null (the default) leaves
    /// that thread's setting alone. libtorch's CPU kernels run on OpenMP, which keeps the thread count per thread: a
    /// count the host sets later on its main thread does not reach a thread-pool thread that has already run libtorch
    /// work, which then keeps using every core and oversubscribes a machine running several silos or jobs.
    /// </summary>
    public int? TorchThreadsPerJob { get; set; }

    /// <summary>
    /// A directory every silo of the cluster reads and writes (a network share on a real cluster; any local folder when
    /// the silos share a machine), or null (the default). When set, a silo writes each completed job's outcome there
    /// before it reports the job complete, and a silo asked for a job whose outcome is stored returns it instead of
    /// training again; the file is deleted once the client has the outcome. Without it, a job whose silo dies after
    /// finishing it but before the client has its outcome is trained again on another silo (with the same weights).
    /// </summary>
    public string? ResultDirectory { get; set; }

    /// <summary>The datasets jobs may name, by id.</summary>
    public IDictionary<string, WorkerDataset> Datasets { get; } = new Dictionary<string, WorkerDataset>(StringComparer.Ordinal);
}
