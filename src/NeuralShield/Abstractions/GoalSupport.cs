namespace NeuralShield;

/// <summary>Which goals an evasion attack can pursue.</summary>
[Flags]
public enum GoalSupport
{
    /// <summary>None (not an evasion attack).</summary>
    None = 0,

    /// <summary>Untargeted goals (any label but the true one).</summary>
    Untargeted = 1,

    /// <summary>Targeted goals (a chosen label).</summary>
    Targeted = 2,

    /// <summary>Both kinds of goal.</summary>
    Both = Untargeted | Targeted,
}
