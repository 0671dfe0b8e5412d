using NeuralShield.Interruptibility;

namespace NeuralShield.Tests.Interruptibility;

public class TabularUpdatesTests
{
    private static double[,] Table() => new double[,] { { 0, 2 }, { 3, 5 } };

    [Fact]
    public void QLearningBootstrapsFromTheBestNextValue()
    {
        // Q[0,1] = 2, r = 1, α = 0.5, γ = 0.9, max Q[1,·] = 5: target 1 + 4.5 = 5.5 → 2 + 0.5·3.5 = 3.75.
        var q = Table();
        TabularUpdates.QLearning(q, 0, 1, 1, 1, false, 0.5, 0.9);
        Assert.Equal(3.75, q[0, 1], 12);
        // Terminal: target r = 1 → 3.75 + 0.5·(1 − 3.75) = 2.375.
        TabularUpdates.QLearning(q, 0, 1, 1, 1, true, 0.5, 0.9);
        Assert.Equal(2.375, q[0, 1], 12);
    }

    [Fact]
    public void SarsaBootstrapsFromTheGivenNextAction()
    {
        // a' = 0: target 1 + 0.9·3 = 3.7 → 2 + 0.5·1.7 = 2.85 (Sarsa passes the executed a', safe Sarsa the agent's own).
        var q = Table();
        TabularUpdates.Sarsa(q, 0, 1, 1, 1, 0, false, 0.5, 0.9);
        Assert.Equal(2.85, q[0, 1], 12);
        Assert.Equal(3, q[1, 0]);
    }

    [Fact]
    public void GreedyBreaksTiesAmongTheBestOnly()
    {
        var q = new double[,] { { 1, 4, 4, 0 } };
        var random = new Random(3);
        var picks = Enumerable.Range(0, 400).Select(_ => TabularUpdates.Greedy(q, 0, random)).ToArray();
        Assert.All(picks, a => Assert.Contains(a, new[] { 1, 2 }));
        Assert.InRange(picks.Count(a => a == 1), 150, 250);
    }
}
