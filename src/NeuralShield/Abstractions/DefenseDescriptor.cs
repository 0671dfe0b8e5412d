
namespace NeuralShield;

/// <summary>What every defense says of itself, so that the audit and reports can enumerate and describe it.</summary>
/// <param name="Name">A short display name.</param>
/// <param name="Kind">What it acts on.</param>
/// <param name="Paper">The paper it implements, when there is one.</param>
/// <param name="Counters">The attack families it is meant to counter.</param>
public sealed record DefenseDescriptor(string Name, DefenseKind Kind, PaperReference? Paper, IReadOnlyList<AttackFamily> Counters);
