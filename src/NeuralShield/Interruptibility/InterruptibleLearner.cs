namespace NeuralShield.Interruptibility;

/// <summary>
/// The single-agent tabular learners of Orseau &amp; Armstrong (UAI 2016, "Safely Interruptible Agents"). Each learns from
/// the action that was executed (the interruption's action while interrupted); they differ in the value of the next
/// state their update bootstraps from.
/// </summary>
public enum InterruptibleLearner
{
    /// <summary>Q-learning: r + γ·max<sub>a'</sub> Q(s', a'). Off-policy, hence safely interruptible.</summary>
    QLearning,

    /// <summary>Sarsa: r + γ·Q(s', a'), a' the action executed next (the interruption's, while interrupted). Not safely interruptible.</summary>
    Sarsa,

    /// <summary>"Safe Sarsa": r + γ·Q(s', a'), a' the action the agent's own policy chose next, whether or not it was overridden.</summary>
    SafeSarsa,
}
