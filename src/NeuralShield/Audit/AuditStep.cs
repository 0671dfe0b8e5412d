using NeuralShield.Reports;

namespace NeuralShield.Audit;

/// <summary>A step of an audit: an entry starting (<paramref name="Record"/> null) or done.</summary>
/// <param name="Model">The target's name.</param>
/// <param name="Family">The entry's family.</param>
/// <param name="Key">The entry's key.</param>
/// <param name="Index">The entry's position (from 0).</param>
/// <param name="Total">Entries per target.</param>
/// <param name="Record">The run's record once it is done; null when it starts.</param>
public sealed record AuditStep(string Model, AuditFamily Family, string Key, int Index, int Total, AttackRecord? Record);
