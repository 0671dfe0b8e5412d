using Microsoft.Extensions.Options;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>A dataset a worker serves to jobs: how to load it and the integrity manifest it must match.</summary>
public sealed class WorkerDataset
{
    /// <summary>A dataset loaded by <paramref name="load"/> and checked against <paramref name="manifest"/>.</summary>
    public WorkerDataset(Func<LabeledData> load, IntegrityManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(manifest);
        Load = load;
        Manifest = manifest;
    }

    /// <summary>Loads the records (called once per silo, on the first job that names the dataset).</summary>
    public Func<LabeledData> Load { get; }

    /// <summary>The manifest the loaded records must match; a dataset that does not is refused to every job.</summary>
    public IntegrityManifest Manifest { get; }
}
