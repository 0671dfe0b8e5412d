using NeuralShield.Interruptibility;

namespace NeuralShield.Tests.Interruptibility;

public class DynamicInterruptibilityTests
{
    [Fact]
    public void UpdateUsesThePolynomialStepSize()
    {
        var options = new DynamicInterruptibilityOptions { Discount = 0.9, LearningRateExponent = 0.8 };
        var q = new double[1, 2];
        var visits = new int[1, 2];
        // First visit: α = 1, target 1 + 0.9·0 = 1.
        DynamicInterruptibility.Update(q, visits, 0, 0, 1, options);
        Assert.Equal(1, q[0, 0], 12);
        // Second: α = 2^−0.8, target 1 + 0.9·1 = 1.9 → 1 + 2^−0.8·0.9.
        DynamicInterruptibility.Update(q, visits, 0, 0, 1, options);
        Assert.Equal(1 + Math.Pow(2, -0.8) * 0.9, q[0, 0], 12);
        Assert.Equal(0, q[0, 1]);
    }

    [Fact]
    public void PrunedLearnersLearnNothingWhenEveryRoundIsInterrupted()
    {
        var experiment = new DynamicInterruptibility(new DynamicInterruptibilityOptions { Rounds = 500, Snapshots = 5 });
        var run = experiment.Train(MultiAgentLearner.IndependentPruned, 1, seed: 3);
        Assert.Equal(new double[4], run.Values);
        Assert.Equal(500, run.Interruptions);
    }

    [Fact]
    public void AnAlwaysBrakingFrontCarTeachesAnIndependentBackCarToBrake()
    {
        // θ = 1: the back car's forward always meets a braking front car (−3), braking gives 0.
        var experiment = new DynamicInterruptibility(new DynamicInterruptibilityOptions { Rounds = 2000, Snapshots = 4 });
        var run = experiment.Train(MultiAgentLearner.Independent, 1, seed: 3);
        Assert.False(run.BackCarGoesForward);
        Assert.True(run.Values[2] < run.Values[3]);
        Assert.Equal(4, run.Snapshots.Count);
        Assert.Equal(run.Values, run.Snapshots[^1]);
    }

    [Fact]
    public void OnlyUnprunedIndependentLearnersKeepAGap()
    {
        // El Mhamdi et al. (2017): joint-action learners and pruned independent learners are dynamically safely interruptible.
        var experiment = new DynamicInterruptibility(new DynamicInterruptibilityOptions { Rounds = 40000 });
        foreach (var seed in new long[] { 1, 2 })
        {
            var independent = experiment.Compare(MultiAgentLearner.Independent, seed);
            var pruned = experiment.Compare(MultiAgentLearner.IndependentPruned, seed);
            var joint = experiment.Compare(MultiAgentLearner.JointAction, seed);
            Assert.True(independent.MaxAbsoluteGap > 5, $"independent gap {independent.MaxAbsoluteGap}");
            // At a finite number of rounds the pruned and joint learners still carry a convergence lag (fewer updates of
            // some entries under interruptions); it is a small fraction of the independent learners' gap.
            Assert.True(pruned.MaxAbsoluteGap < 0.2 * independent.MaxAbsoluteGap, $"pruned gap {pruned.MaxAbsoluteGap}, independent {independent.MaxAbsoluteGap}");
            Assert.True(joint.MaxAbsoluteGap < 0.2 * independent.MaxAbsoluteGap, $"joint gap {joint.MaxAbsoluteGap}, independent {independent.MaxAbsoluteGap}");
            Assert.False(independent.Interrupted.BackCarGoesForward);
            Assert.True(independent.Uninterrupted.BackCarGoesForward && pruned.Interrupted.BackCarGoesForward && joint.Interrupted.BackCarGoesForward);
            Assert.Equal(0, joint.Uninterrupted.Interruptions);
        }
    }

    [Fact]
    public void SameSeedSameRun()
    {
        var experiment = new DynamicInterruptibility(new DynamicInterruptibilityOptions { Rounds = 3000 });
        Assert.Equal(experiment.Train(MultiAgentLearner.Independent, 0.5, 9).Values, experiment.Train(MultiAgentLearner.Independent, 0.5, 9).Values);
        Assert.NotEqual(experiment.Train(MultiAgentLearner.Independent, 0.5, 9).Values, experiment.Train(MultiAgentLearner.Independent, 0.5, 10).Values);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void InterruptionProbabilityOutsideTheUnitIntervalIsRefused(double p)
    {
        Assert.Equal("InterruptionProbability", Assert.Throws<ArgumentOutOfRangeException>(
            () => new DynamicInterruptibility(new DynamicInterruptibilityOptions { InterruptionProbability = p })).ParamName);
        Assert.Equal("interruptionProbability", Assert.Throws<ArgumentOutOfRangeException>(
            () => new DynamicInterruptibility().Train(MultiAgentLearner.JointAction, p, 0)).ParamName);
    }
}
