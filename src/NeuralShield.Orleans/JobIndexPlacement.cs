using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NeuralShield.Orleans;

/// <summary>
/// Places the grain of job i of a run on silo i mod n of the n compatible silos (sorted by address), so that a run's
/// jobs spread evenly over the cluster; when a silo is lost, the retried jobs go to the silos still alive.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class JobIndexPlacement : PlacementStrategy
{
    internal static readonly JobIndexPlacement Singleton = new();
}

/// <summary>The director of <see cref="JobIndexPlacement"/>.</summary>
internal sealed class JobIndexPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (silos.Length == 0) throw new OrleansException("No silo can host a training job.");
        return Task.FromResult(silos[Slot(target.GrainIdentity.Key.ToString(), silos.Length)]);
    }

    /// <summary>The slot of a grain key "run/index" among <paramref name="count"/> silos (a stable hash for other keys).</summary>
    internal static int Slot(string? key, int count)
    {
        var slash = key?.LastIndexOf('/') ?? -1;
        if (slash >= 0 && long.TryParse(key.AsSpan(slash + 1), out var index) && index >= 0) return (int)(index % count);
        var hash = 0u;
        foreach (var c in key ?? "") hash = hash * 31 + c;
        return (int)(hash % (uint)count);
    }
}
