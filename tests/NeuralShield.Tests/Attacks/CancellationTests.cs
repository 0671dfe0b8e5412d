using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks;

/// <summary>
/// A decorator that counts the calls to the model, cancels a token source when the <c>cancelAfter</c>-th call has
/// been answered, and counts the calls that come after that. An optional per-class logit offset makes a goal
/// unreachable (e.g. −1000 on a target class, +1000 on a true class), so that an attack runs to its iteration limit.
/// </summary>
internal sealed class CancellingClassifier(IDifferentiableClassifier inner, CancellationTokenSource source, int cancelAfter, float[]? logitOffset = null)
    : IDifferentiableClassifier
{
    public int Calls { get; private set; }

    public int CallsAfterCancel { get; private set; }

    public int ClassCount => inner.ClassCount;

    public InputBounds Bounds => inner.Bounds;

    public Device Device => inner.Device;

    public long QueryCount => inner.QueryCount;

    public Tensor Logits(Tensor inputs)
    {
        if (source.IsCancellationRequested) CallsAfterCancel++;
        Calls++;
        var logits = inner.Logits(inputs);
        if (Calls == cancelAfter) source.Cancel();
        if (logitOffset is null) return logits;
        using (logits)
        using (var offset = tensor(logitOffset, device: logits.device))
            return logits + offset;
    }

    public Tensor PredictProbabilities(Tensor inputs)
    {
        using var _ = no_grad();
        using var logits = Logits(inputs);
        return logits.softmax(1);
    }
}

/// <summary>
/// Cancellation from inside a run: the token is cancelled by the model itself after k calls, and the attack must
/// throw <see cref="OperationCanceledException"/> for that token after at most a call or two more (about one
/// iteration), not run on to its end. Each case first runs uncancelled to show that the run is much longer than k.
/// </summary>
public class CancellationTests
{
    private const int Features = 40;
    private const int Classes = 4;

    private static TorchClassifier Model(int seed = 1) =>
        new(ModelZoo.Mlp(Features, [16], Classes, Activation.Tanh, seed), Classes, InputBounds.Unit, ownsModule: true);

    private static Tensor Inputs(int count, int seed = 2)
    {
        using var generator = new Generator((ulong)seed);
        return rand(count, Features, generator: generator) * 0.8 + 0.1;
    }

    /// <summary>An offset that puts class <paramref name="cls"/>'s logit <paramref name="by"/> above (or below) the rest.</summary>
    private static float[] Offset(int cls, float by)
    {
        var offset = new float[Classes];
        offset[cls] = by;
        return offset;
    }

    private static void AssertCancelsWithinOneIteration(Action<IDifferentiableClassifier, CancellationToken> run, int cancelAfter,
        int maxCallsAfterCancel, float[]? offset = null)
    {
        using var model = Model();
        using (var never = new CancellationTokenSource())
        {
            var free = new CancellingClassifier(model, never, int.MaxValue, offset);
            run(free, CancellationToken.None);
            Assert.True(free.Calls > cancelAfter + maxCallsAfterCancel + 2,
                $"the uncancelled run made only {free.Calls} calls; the test needs a longer run to observe the cancellation");
        }
        using var source = new CancellationTokenSource();
        var counting = new CancellingClassifier(model, source, cancelAfter, offset);
        var error = Assert.ThrowsAny<OperationCanceledException>(() => run(counting, source.Token));
        Assert.Equal(source.Token, error.CancellationToken);
        Assert.True(counting.CallsAfterCancel <= maxCallsAfterCancel,
            $"{counting.CallsAfterCancel} calls to the model after the cancellation (at most {maxCallsAfterCancel} expected)");
        Assert.Equal(cancelAfter + counting.CallsAfterCancel, counting.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PgdStopsWithinAStep(bool l2)
    {
        using var x = Inputs(8);
        using var y = zeros(8, dtype: ScalarType.Int64);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.01, Steps = 40, Norm = l2 ? Norm.L2 : Norm.LInf });
        // One model call per step.
        AssertCancelsWithinOneIteration((m, token) => pgd.Run(m, x, AttackGoal.Untargeted(y), token).Dispose(), cancelAfter: 5, maxCallsAfterCancel: 1);
    }

    [Theory]
    [InlineData(JsmaSearch.Pairwise)]
    [InlineData(JsmaSearch.SingleFeatureTopTwo)]
    public void JsmaStopsWithinAnIteration(JsmaSearch search)
    {
        using var x = Inputs(6);
        using var t = full(6, 3L, dtype: ScalarType.Int64);
        var jsma = new Jsma(new JsmaOptions { Gamma = 1.0, Output = JsmaOutput.Logits, Search = search });
        // Class 3 is out of reach (its logit is 1000 below), so the attack runs until no admissible pair remains.
        AssertCancelsWithinOneIteration((m, token) => jsma.Run(m, x, AttackGoal.Targeted(t), token).Dispose(), cancelAfter: 2, maxCallsAfterCancel: 1,
            offset: Offset(3, -1000f));
    }

    [Theory]
    [InlineData(Norm.L2)]
    [InlineData(Norm.LInf)]
    public void DeepFoolStopsWithinAnIteration(Norm norm)
    {
        using var x = Inputs(5);
        using var y = zeros(5, dtype: ScalarType.Int64);
        var deepFool = new DeepFool(new DeepFoolOptions { Norm = norm, MaxIterations = 30, CandidateClasses = Classes });
        // Class 0 is 1000 above the rest: no step leaves it, so DeepFool runs all its iterations.
        AssertCancelsWithinOneIteration((m, token) => deepFool.Run(m, x, AttackGoal.Untargeted(y), token).Dispose(), cancelAfter: 4, maxCallsAfterCancel: 1,
            offset: Offset(0, 1000f));
    }

    [Fact]
    public void UniversalPerturbationDeepFoolLoopStopsWithinAnInnerIteration()
    {
        using var x = Inputs(6);
        var fitter = new UniversalPerturbation(new UniversalPerturbationOptions
        {
            Search = UniversalSearch.DeepFoolLoop, Xi = 0.5, Norm = Norm.L2, MaxPasses = 2, MaxDeepFoolIterations = 8, CandidateClasses = Classes,
        });
        // Each sample costs a prediction and a DeepFool run (9–10 calls); cancel inside the second sample's DeepFool.
        AssertCancelsWithinOneIteration((m, token) => fitter.Fit(m, x, token).Perturbation.Dispose(), cancelAfter: 14, maxCallsAfterCancel: 2,
            offset: Offset(0, 1000f));
    }

    [Fact]
    public void UniversalPerturbationProjectedGradientStopsWithinABatch()
    {
        using var x = Inputs(32);
        var fitter = new UniversalPerturbation(new UniversalPerturbationOptions
        {
            Search = UniversalSearch.ProjectedGradient, Xi = 0.2, Norm = Norm.LInf, Epochs = 5, GradientBatchSize = 4,
        });
        // Eight gradient batches per epoch, one call each, then the epoch's fooling rate.
        AssertCancelsWithinOneIteration((m, token) => fitter.Fit(m, x, token).Perturbation.Dispose(), cancelAfter: 6, maxCallsAfterCancel: 1,
            offset: Offset(0, 1000f));
    }

    [Theory]
    [InlineData(AscentStep.Sign)]
    [InlineData(AscentStep.NormalisedGradient)]
    public void GradientAscentFoolingStopsWithinAStep(AscentStep step)
    {
        var attack = new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 60, Step = step, StepSize = 0.01 });
        // Class 2 is 1000 below the rest: its confidence never reaches the threshold.
        AssertCancelsWithinOneIteration((m, token) => attack.Generate(m, [2, 2, 2], [Features], token).Dispose(), cancelAfter: 7, maxCallsAfterCancel: 1,
            offset: Offset(2, -1000f));
    }

    [Theory]
    [InlineData(EvolutionStrategy.ElitistPopulation)]
    [InlineData(EvolutionStrategy.MapElites)]
    public void EvolutionaryFoolingStopsWithinAGeneration(EvolutionStrategy strategy)
    {
        var attack = new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 16, Generations = 40, Strategy = strategy, Seed = 3 });
        // The black-box search calls PredictProbabilities once per generation; class 1 is out of reach.
        AssertCancelsWithinOneIteration((m, token) => attack.Generate(m, [1, 1], [Features], token).Dispose(), cancelAfter: 6, maxCallsAfterCancel: 1,
            offset: Offset(1, -1000f));
    }
}
