namespace NeuralShield.Interruptibility;

/// <summary>
/// The two-agent learners of El Mhamdi, Guerraoui, Hendrikx &amp; Maurer (NeurIPS 2017, "Dynamic Safe Interruptibility for
/// Decentralized Multi-Agent Reinforcement Learning").
/// </summary>
public enum MultiAgentLearner
{
    /// <summary>Independent Q-learners: each learns values of its own actions and treats the other agent as part of the environment.</summary>
    Independent,

    /// <summary>Independent Q-learners that detect interruptions and prune (skip the update of) every round in which an agent was interrupted.</summary>
    IndependentPruned,

    /// <summary>Joint-action learners: values of joint actions (observed as executed), bootstrapping from the best joint action.</summary>
    JointAction,
}
