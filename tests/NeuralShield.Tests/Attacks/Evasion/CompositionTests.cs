using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

public class CompositionTests(BlobsFixture fixture) : IClassFixture<BlobsFixture>
{
    private LabeledData Data => fixture.Data;

    private TorchClassifier Model => fixture.Model;

    private static bool[] Flags(Tensor t) => t.cpu().data<bool>().ToArray();

    private (Tensor X, Tensor Y) Batch(int start, int count) => (Data.Features.narrow(0, start, count), Data.Labels.narrow(0, start, count));

    /// <summary>Deterministic members: FGSM at two radii and PGD without random start.</summary>
    private static IEvasionAttack<IDifferentiableClassifier>[] DeterministicMembers(byte a, byte b, byte c) =>
    [
        new Fgsm(new FgsmOptions { Epsilon = 0.02 + a / 255.0 * 0.3 }),
        new Pgd(new PgdOptions { Epsilon = 0.02 + b / 255.0 * 0.3, StepSize = 0.02, Steps = 1 + c % 6, RandomStart = false }),
        new Fgsm(new FgsmOptions { Epsilon = 0.02 + c / 255.0 * 0.3, Norm = Norm.L2 }),
    ];

    private AttackGoal Goal(Tensor y, bool targeted) => targeted ? AttackGoal.Targeted((y + 1).remainder(Data.ClassCount)) : AttackGoal.Untargeted(y);

    [Property(MaxTest = 25)]
    public bool CascadeSucceedsWhereverAnyMemberSucceedsAlone(byte a, byte b, byte c, byte start, bool targeted, bool reversed)
    {
        var (x, y) = Batch(start % 200, 40);
        using var _ = x;
        using var __ = y;
        var goal = Goal(y, targeted);
        var members = DeterministicMembers(a, b, c);
        if (reversed) Array.Reverse(members);
        using var cascade = new Cascade<IDifferentiableClassifier>(members).Run(Model, x, goal);
        var union = new bool[40];
        foreach (var member in members)
        {
            using var alone = member.Run(Model, x, goal);
            var ok = Flags(alone.Success);
            for (var i = 0; i < 40; i++) union[i] |= ok[i];
        }
        var cascaded = Flags(cascade.Success);
        return union.Zip(cascaded).All(p => !p.First || p.Second);
    }

    [Property(MaxTest = 15)]
    public bool RepeatNeverLosesASuccessAsRunsAreAdded(byte epsByte, byte start, int seed, byte n, byte more, bool targeted)
    {
        var (x, y) = Batch(start % 200, 30);
        using var _ = x;
        using var __ = y;
        var goal = Goal(y, targeted);
        var eps = 0.05 + epsByte / 255.0 * 0.15;
        Func<int, IEvasionAttack<IDifferentiableClassifier>> factory = i => new Pgd(new PgdOptions { Epsilon = eps, StepSize = eps / 3, Steps = 2, Seed = seed + i });
        var runs = 1 + n % 3;
        using var fewer = new Repeat<IDifferentiableClassifier>(factory, runs).Run(Model, x, goal);
        using var moreRuns = new Repeat<IDifferentiableClassifier>(factory, runs + 1 + more % 3).Run(Model, x, goal);
        var before = Flags(fewer.Success);
        var after = Flags(moreRuns.Success);
        var l2Before = fewer.L2.cpu().data<float>().ToArray();
        var l2After = moreRuns.L2.cpu().data<float>().ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            if (before[i] && !after[i]) return false;
            if (before[i] == after[i] && l2After[i] > l2Before[i] + 1e-6f) return false;
        }
        return true;
    }

    [Property(MaxTest = 10)]
    public bool SameSeedSameResult(int seed, byte start)
    {
        var (x, y) = Batch(start % 200, 20);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Untargeted(y);
        IEvasionAttack<IDifferentiableClassifier> Make() => new Cascade<IDifferentiableClassifier>(
            new Fgsm(new FgsmOptions { Epsilon = 0.05 }),
            new Repeat<IDifferentiableClassifier>(i => new Pgd(new PgdOptions { Epsilon = 0.15, StepSize = 0.05, Steps = 3, Seed = seed + i }), 3));
        using var first = Make().Run(Model, x, goal);
        using var second = Make().Run(Model, x, goal);
        return TensorAssert.Same(first.Adversarials, second.Adversarials) && TensorAssert.Same(first.Success, second.Success);
    }

    [Fact]
    public void CascadeKeepsTheFirstSuccessAndOnlyAttacksWhatIsLeft()
    {
        var (x, y) = Batch(0, 60);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Untargeted(y);
        var weak = new Fgsm(new FgsmOptions { Epsilon = 0.1 });
        var strong = new Pgd(new PgdOptions { Epsilon = 0.4, StepSize = 0.05, Steps = 20, RandomStart = false });
        var counter = new CountingAttack(strong);
        using var weakAlone = weak.Run(Model, x, goal);
        using var cascade = new Cascade<IDifferentiableClassifier>(weak, counter).Run(Model, x, goal);

        var weakOk = Flags(weakAlone.Success);
        var broken = weakOk.Count(s => s);
        Assert.InRange(broken, 1, 59);
        Assert.Equal(60 - broken, counter.Samples);
        using var keptFromWeak = cascade.Adversarials.index_select(0, weakAlone.Success.nonzero().squeeze(1));
        using var weakAdversarials = weakAlone.Adversarials.index_select(0, weakAlone.Success.nonzero().squeeze(1));
        Assert.True(TensorAssert.Same(keptFromWeak, weakAdversarials));
        Assert.True(cascade.Metrics.SuccessRate > weakAlone.Metrics.SuccessRate);
    }

    [Fact]
    public void CompositionsNestAndTheirSuccessIsTheLibrarysCheck()
    {
        var (x, y) = Batch(10, 50);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Targeted((y + 2).remainder(Data.ClassCount));
        var nested = new Cascade<IDifferentiableClassifier>(
            new Fgsm(new FgsmOptions { Epsilon = 0.05 }),
            new Repeat<IDifferentiableClassifier>(i => new Cascade<IDifferentiableClassifier>(
                new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.04, Steps = 5, Seed = i }),
                new Pgd(new PgdOptions { Epsilon = 0.4, StepSize = 0.05, Steps = 10, Seed = 100 + i })), 2, Norm.LInf));
        using var result = nested.Run(Model, x, goal);
        using var predicted = Model.Predict(result.Adversarials);
        Assert.True(TensorAssert.Same(goal.IsSuccess(predicted), result.Success));
        Assert.True(Model.Bounds.Contains(result.Adversarials));
        using var linf = Distances.LInf(result.Adversarials, x);
        Assert.True(linf.max().item<float>() <= 0.4f + 1e-5f);
        Assert.True(result.Metrics.SuccessRate > 0.5, $"success {result.Metrics.SuccessRate}");
    }

    [Fact]
    public void CascadeRechecksAForeignAttacksClaims()
    {
        var (x, y) = Batch(0, 40);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Untargeted(y);
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.15 });
        using var alone = fgsm.Run(Model, x, goal);
        using var cascade = new Cascade<IDifferentiableClassifier>(new ClaimsSuccessAttack(), fgsm).Run(Model, x, goal);
        Assert.True(TensorAssert.Same(alone.Success, cascade.Success));
        using var repeat = new Repeat<IDifferentiableClassifier>(i => i == 0 ? new ClaimsSuccessAttack() : fgsm, 2).Run(Model, x, goal);
        Assert.True(TensorAssert.Same(alone.Success, repeat.Success));
    }

    [Fact]
    public void RepeatPrefersTheSmallerPerturbationAmongSuccesses()
    {
        var (x, y) = Batch(0, 40);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Untargeted(y);
        var big = new Fgsm(new FgsmOptions { Epsilon = 0.4 });
        var small = new Fgsm(new FgsmOptions { Epsilon = 0.2 });
        using var bigAlone = big.Run(Model, x, goal);
        using var smallAlone = small.Run(Model, x, goal);
        using var repeat = new Repeat<IDifferentiableClassifier>(i => i == 0 ? big : small, 2, Norm.LInf).Run(Model, x, goal);
        var bigOk = Flags(bigAlone.Success);
        var smallOk = Flags(smallAlone.Success);
        var linf = repeat.LInf.cpu().data<float>().ToArray();
        var any = false;
        for (var i = 0; i < 40; i++)
        {
            if (smallOk[i]) { Assert.True(linf[i] <= 0.2f + 1e-5f); any = true; }
            else if (bigOk[i]) Assert.True(Flags(repeat.Success)[i]);
        }
        Assert.True(any, "FGSM at 0.2 should break some points");
    }

    [Fact]
    public void AttacksRunUnchangedAgainstATemperatureDecorator()
    {
        var (x, y) = Batch(0, 50);
        using var _ = x;
        using var __ = y;
        var goal = AttackGoal.Untargeted(y);
        var identity = new TemperatureScaledClassifier(Model, 1);
        var scaled = new TemperatureScaledClassifier(Model, 20);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.03, Steps = 10, Seed = 4 });
        using var plain = pgd.Run(Model, x, goal);
        using var throughIdentity = pgd.Run(identity, x, goal);
        // At T = 1 the decorator computes the same logits, so the attack takes exactly the same path.
        Assert.True(TensorAssert.Same(plain.Adversarials, throughIdentity.Adversarials));
        Assert.True(TensorAssert.Same(plain.Success, throughIdentity.Success));

        // The logit margin scales by 1/T (exactly, for T a power of two), so its gradient's sign, and PGD's path, do not change.
        var marginPgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.03, Steps = 10, RandomStart = false, Loss = GradientLoss.LogitMargin });
        using var marginPlain = marginPgd.Run(Model, x, goal);
        using var marginScaled = marginPgd.Run(new TemperatureScaledClassifier(Model, 16), x, goal);
        Assert.True(TensorAssert.Same(marginPlain.Adversarials, marginScaled.Adversarials));
        Assert.True(marginPlain.Metrics.SuccessRate > 0.3, $"margin PGD success {marginPlain.Metrics.SuccessRate}");

        using var decorated = pgd.Run(scaled, x, goal);
        Assert.Equal(10 * 50, decorated.Metrics.Queries);
        Assert.Equal(10 * 50 + 50, scaled.QueryCount);
        using var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.3 }).Run(scaled, x, goal);
        using var cascade = new Cascade<IDifferentiableClassifier>(new Fgsm(new FgsmOptions { Epsilon = 0.1 }), pgd).Run(scaled, x, goal);
        foreach (var result in new[] { decorated, fgsm, cascade })
        {
            using var check = scaled.Predict(result.Adversarials);
            Assert.True(TensorAssert.Same(goal.IsSuccess(check), result.Success));
            Assert.True(result.Metrics.SuccessRate > 0.3, $"success {result.Metrics.SuccessRate} through the decorator");
        }

        using var fooled = new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 200, StepSize = 0.02 }).Generate(scaled, [0, 1, 2], [10]);
        Assert.Equal(1.0, fooled.Metrics.TargetPredictedRate);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        Assert.Throws<ArgumentException>("attacks", () => new Cascade<IClassifier>());
        Assert.Throws<ArgumentNullException>("attacks", () => new Cascade<IClassifier>((IEnumerable<IEvasionAttack<IClassifier>>)null!));
        Assert.Throws<ArgumentException>("attacks", () => new Cascade<IDifferentiableClassifier>(new Fgsm(), null!));
        Assert.Throws<ArgumentNullException>("factory", () => new Repeat<IClassifier>(null!, 2));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => new Repeat<IDifferentiableClassifier>(_ => new Fgsm(), 0));
        Assert.Throws<ArgumentException>("factory", () => new Repeat<IDifferentiableClassifier>(i => i == 1 ? null! : new Fgsm(), 3));
        Assert.Throws<ArgumentOutOfRangeException>("norm", () => new Repeat<IDifferentiableClassifier>(_ => new Fgsm(), 2, (Norm)17));
        var (x, y) = Batch(0, 5);
        using var _ = x;
        using var __ = y;
        var cascade = new Cascade<IDifferentiableClassifier>(new Fgsm());
        using var wrongCount = y.narrow(0, 0, 3);
        Assert.Throws<ArgumentException>("Labels", () => cascade.Run(Model, x, AttackGoal.Untargeted(wrongCount)));
        using var outside = x + 5;
        Assert.Throws<ArgumentException>("inputs", () => cascade.Run(Model, outside, AttackGoal.Untargeted(y)));
        var repeat = new Repeat<IDifferentiableClassifier>(_ => new Fgsm(), 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => repeat.Run(Model, x, AttackGoal.Untargeted(y), cancelled.Token));
        Assert.Equal(2, repeat.Count);
        Assert.Single(cascade.Attacks);
    }

    /// <summary>A foreign attack that returns its inputs and claims every sample succeeded.</summary>
    private sealed class ClaimsSuccessAttack : IEvasionAttack<IDifferentiableClassifier>
    {
        public AttackDescriptor Descriptor => new("claims success", AttackFamily.Evasion, ModelAccess.WhiteBox, null, GoalSupport.Both);

        public EvasionResult Run(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, RunOptions? options, CancellationToken cancellationToken = default)
        {
            var n = inputs.shape[0];
            return new EvasionResult(inputs.clone(), ones(n, dtype: ScalarType.Bool), goal.Labels.clone(), zeros(n), zeros(n), zeros(n),
                new EvasionMetrics((int)n, 1, 0, 0, 0, 0, 0, 0, TimeSpan.Zero));
        }
    }

    /// <summary>Counts the samples a wrapped attack is asked to attack.</summary>
    private sealed class CountingAttack(IEvasionAttack<IDifferentiableClassifier> inner) : IEvasionAttack<IDifferentiableClassifier>
    {
        public long Samples { get; private set; }

        public AttackDescriptor Descriptor => inner.Descriptor;

        public EvasionResult Run(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, RunOptions? options, CancellationToken cancellationToken = default)
        {
            Samples += inputs.shape[0];
            return inner.Run(model, inputs, goal, options, cancellationToken);
        }
    }
}
