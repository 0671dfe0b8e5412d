namespace NeuralShield;

/// <summary>
/// What every attack says of itself, so that the audit, the CLI and reports can enumerate and describe the attacks
/// that exist: a name, the family (which verb it has), the access it needs, its paper, and for evasion attacks the
/// goals it supports.
/// </summary>
/// <param name="Name">A short display name, e.g. "PGD L∞".</param>
/// <param name="Family">The family.</param>
/// <param name="Access">The access to the model the attack needs.</param>
/// <param name="Paper">The paper it implements (null for compositions).</param>
/// <param name="Goals">For evasion attacks, the goals it supports.</param>
public sealed record AttackDescriptor(string Name, AttackFamily Family, ModelAccess Access, PaperReference? Paper, GoalSupport Goals = GoalSupport.None);
