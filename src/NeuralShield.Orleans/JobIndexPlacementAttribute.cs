using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NeuralShield.Orleans;

/// <summary>Marks a grain class whose string key ends in "/job index" for <see cref="JobIndexPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class JobIndexPlacementAttribute : PlacementAttribute
{
    /// <summary>The attribute.</summary>
    public JobIndexPlacementAttribute() : base(JobIndexPlacement.Singleton)
    {
    }
}
