namespace NeuralShield.Interruptibility;

/// <summary>The one-step temporal-difference updates of the tabular learners (written once, used by every experiment).</summary>
internal static class TabularUpdates
{
    /// <summary>Q[s, a] += α·(r + γ·max<sub>a'</sub> Q[s', a'] − Q[s, a]); the bootstrap term is dropped when <paramref name="terminal"/>.</summary>
    public static void QLearning(double[,] q, int state, int action, double reward, int next, bool terminal, double alpha, double gamma)
    {
        var target = reward + (terminal ? 0 : gamma * Max(q, next));
        q[state, action] += alpha * (target - q[state, action]);
    }

    /// <summary>Q[s, a] += α·(r + γ·Q[s', a'] − Q[s, a]) for a given next action a' (Sarsa and safe Sarsa differ only in which a').</summary>
    public static void Sarsa(double[,] q, int state, int action, double reward, int next, int nextAction, bool terminal, double alpha, double gamma)
    {
        var target = reward + (terminal ? 0 : gamma * q[next, nextAction]);
        q[state, action] += alpha * (target - q[state, action]);
    }

    /// <summary>max<sub>a</sub> Q[s, a].</summary>
    public static double Max(double[,] q, int state)
    {
        var best = double.NegativeInfinity;
        for (var a = 0; a < q.GetLength(1); a++) best = Math.Max(best, q[state, a]);
        return best;
    }

    /// <summary>An action of highest value, ties broken uniformly at random by <paramref name="random"/>.</summary>
    public static int Greedy(double[,] q, int state, Random random)
    {
        var best = Max(q, state);
        int count = 0, chosen = 0;
        for (var a = 0; a < q.GetLength(1); a++)
            if (q[state, a] == best && random.Next(++count) == 0) chosen = a;
        return chosen;
    }

    /// <summary>ε-greedy: a uniformly random action with probability ε, otherwise <see cref="Greedy"/>.</summary>
    public static int EpsilonGreedy(double[,] q, int state, double epsilon, Random random) =>
        random.NextDouble() < epsilon ? random.Next(q.GetLength(1)) : Greedy(q, state, random);
}
