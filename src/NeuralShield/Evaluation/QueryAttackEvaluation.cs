using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Evaluation;

/// <summary>
/// The Square attack's paper numbers (Andriushchenko et al., ECCV 2020): untargeted, on the samples the model classifies
/// correctly, the success rate within the query budget and the mean and median queries of the successful samples.
/// </summary>
public static class QueryAttackEvaluation
{
    /// <summary>Runs <paramref name="attack"/> on the correctly classified samples of <paramref name="inputs"/> [N, C, H, W].</summary>
    public static QueryAttackOutcome Evaluate(IClassifier model, Tensor inputs, Tensor labels, SquareAttack attack, int? batchSize = 250,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(attack);
        InputChecks.Inputs(inputs, model.Bounds, nameof(inputs));
        var n = inputs.shape[0];
        Guard.Labels(labels, n, model.ClassCount, nameof(labels));
        using var scope = NewDisposeScope();
        var x = inputs.to(model.Device).to_type(ScalarType.Float32);
        var y = labels.to(model.Device).to_type(ScalarType.Int64);
        var correct = model.Predict(x).to(model.Device).eq(y).nonzero().squeeze(1);
        var attacked = correct.shape[0];
        var budget = attack.Options.MaxQueries;
        if (attacked == 0) return new QueryAttackOutcome((int)n, 0, double.NaN, double.NaN, double.NaN, budget, 0, TimeSpan.Zero);
        var (result, queries) = attack.RunCounted(model, x.index_select(0, correct), AttackGoal.Untargeted(y.index_select(0, correct)),
            new RunOptions { BatchSize = batchSize }, cancellationToken);
        using var _ = result;
        using var __ = queries;
        var success = result.Success.cpu();
        var fooled = queries.masked_select(success).to_type(ScalarType.Float64);
        var count = fooled.numel();
        var median = count == 0 ? double.NaN : Median(fooled.data<double>().ToArray());
        return new QueryAttackOutcome((int)n, attacked / (double)n, count / (double)attacked, median,
            count == 0 ? double.NaN : fooled.mean().item<double>(), budget, queries.sum().item<long>(), result.Metrics.Elapsed)
        {
            Metrics = result.Metrics,
        };
    }

    /// <summary>The median (the mean of the two middle values for an even count), as numpy computes it.</summary>
    internal static double Median(double[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
