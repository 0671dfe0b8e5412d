using NeuralShield.Learnability;
using TorchSharp;

namespace NeuralShield.Tests.Learnability;

public class LearnabilityAuditTests
{
    private static LearnabilityOptions Small(int budget = 1000) => new()
    {
        Budget = budget, TestSamples = 1000, Hidden = [64], Epochs = 20, BatchSize = 64, LearningRate = 3e-3, Seed = 4,
    };

    private static LearnabilityTarget Identity(int width = 8) => LearnabilityTarget.FromOracle("identity", width, width, 2,
        r => Enumerable.Range(0, width).Select(_ => (float)r.Next(2)).ToArray(), x => x.Select(v => (int)v).ToArray());

    [Fact]
    public void TheIdentityIsLearnedAndHmacIsNot()
    {
        torch.set_num_threads(1);
        var audit = new LearnabilityAudit(Small());
        var identity = audit.Run(Identity());
        Assert.Equal([100, 1000], identity.Points.Select(p => p.TrainSamples));
        Assert.True(identity.Points[^1].Accuracy.Estimate > 0.99, $"identity accuracy {identity.Points[^1].Accuracy.Estimate}");
        Assert.True(identity.Points[^1].ExactMatch > 0.95);
        Assert.True(identity.Points[^1].AboveChance);
        Assert.Equal(1000, identity.SamplesToReach(0.99));

        var hmac = audit.Run(LearnabilityTargets.HmacBit("a secret key"u8.ToArray(), 32));
        Assert.InRange(hmac.Chance, 0.45, 0.55);
        Assert.All(hmac.Points, p => Assert.False(p.AboveChance));
        Assert.True(hmac.InsideChanceAtBudget, $"HMAC accuracy {hmac.Points[^1].Accuracy}");
        // The network can memorise its training pairs; it learns nothing that carries to new messages.
        Assert.True(hmac.Points[^1].TrainAccuracy > hmac.Points[^1].Accuracy.Estimate);
    }

    [Fact]
    public void GohrsBitSlicedNetworkDistinguishesThreeRoundSpeck()
    {
        // Three rounds of Speck32/64 leave the input difference nearly deterministic: far above chance from a few thousand pairs.
        torch.set_num_threads(1);
        var options = Small(2000);
        options.Epochs = 5;
        options.Network = LearnabilityNetworks.BitSlicedResNet(4, 16);
        var result = new LearnabilityAudit(options).Run(LearnabilityTargets.SpeckDistinguisher(3));
        Assert.True(result.Points[^1].Accuracy.Estimate > 0.9, $"3-round accuracy {result.Points[^1].Accuracy}");
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => LearnabilityNetworks.BitSlicedResNet(4, 16)(63, 2, 0)).ParamName);
    }

    [Fact]
    public void SameSeedSameNumbers()
    {
        torch.set_num_threads(1);
        var options = Small(200);
        options.Epochs = 3;
        var a = new LearnabilityAudit(options).Run(Identity(4));
        var b = new LearnabilityAudit(options).Run(Identity(4));
        Assert.Equal(a.Points.Select(p => p.Accuracy), b.Points.Select(p => p.Accuracy));
        Assert.Equal(a.Points.Select(p => p.TrainAccuracy), b.Points.Select(p => p.TrainAccuracy));
    }

    [Fact]
    public void ChanceIsTheBestConstantGuessOnTheHeldOutPairs()
    {
        // Held out: 3 of 4 are class 1 → 0.75; top 2 of 3 classes (1 then 0): 1.0. The training majority (class 0 in an
        // attacker's small sample) would score 0.25 on these pairs, a baseline any lucky guess beats.
        var target = LearnabilityTarget.FromOracle("t", 1, 1, 3, _ => [0f], _ => [0]);
        int[][] test = [[1], [1], [0], [1]];
        Assert.Equal(0.75, LearnabilityAudit.Chance(test, target, 1));
        Assert.Equal(1.0, LearnabilityAudit.Chance(test, target, 2));
        // Two output entries: entry 0 mostly 1 (3/4), entry 1 mostly 2 (2/4) → (3 + 2) / 8.
        var wide = LearnabilityTarget.FromOracle("w", 1, 2, 3, _ => [0f], _ => [0, 0]);
        int[][] pairs = [[1, 2], [1, 2], [0, 0], [1, 1]];
        Assert.Equal(5.0 / 8, LearnabilityAudit.Chance(pairs, wide, 1));
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var budget = Assert.Throws<ArgumentOutOfRangeException>(() => new LearnabilityAudit(new LearnabilityOptions { Budget = 0 }));
        Assert.Equal("Budget", budget.ParamName);
        Assert.Contains("positive", budget.Message);

        var wrongWidth = LearnabilityTarget.FromOracle("wrong", 4, 1, 2, _ => new float[4], _ => [0, 1]);
        var e = Assert.Throws<ArgumentException>(() => new LearnabilityAudit(Small(100)).Run(wrongWidth));
        Assert.Equal("oracle", e.ParamName);
        Assert.Contains("returned 2 outputs", e.Message);
        Assert.Contains("OutputWidth 1", e.Message);

        var wrongClass = LearnabilityTarget.FromOracle("class", 4, 1, 2, _ => new float[4], _ => [2]);
        Assert.Equal("oracle", Assert.Throws<ArgumentException>(() => new LearnabilityAudit(Small(100)).Run(wrongClass)).ParamName);

        var tooFew = LearnabilityTarget.FromPairs("few", [[0f], [1f], [0f]], [0, 1, 0], 2);
        Assert.Contains("holds 3 pairs", Assert.Throws<ArgumentException>(() => new LearnabilityAudit(Small(100)).Run(tooFew)).Message);
        Assert.Throws<ArgumentException>(() => new LearnabilityAudit(new LearnabilityOptions { TopK = 2 }).Run(Identity()));
    }
}
