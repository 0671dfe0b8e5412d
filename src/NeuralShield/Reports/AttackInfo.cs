using NeuralShield.Attacks;

namespace NeuralShield.Reports;

/// <summary>How an attack is described in a report: its descriptor, flattened.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Family">Family (which verb).</param>
/// <param name="Access">The access it needs.</param>
/// <param name="Paper">Citation of its paper, when it has one.</param>
public sealed record AttackInfo(string Name, AttackFamily Family, ModelAccess Access, string? Paper)
{
    /// <summary>The report form of <paramref name="descriptor"/>.</summary>
    public static AttackInfo From(AttackDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new(descriptor.Name, descriptor.Family, descriptor.Access, descriptor.Paper?.ToString());
    }
}
