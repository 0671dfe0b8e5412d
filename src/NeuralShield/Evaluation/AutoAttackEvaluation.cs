using System.Diagnostics;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Evaluation;

/// <summary>
/// AutoAttack — Croce and Hein, ICML 2020 (arXiv 2003.01690): an ensemble of parameter-free attacks run in order, each
/// on the samples that are classified correctly and that no earlier member broke; robust accuracy is the share no member
/// broke, the worst case per sample. The standard version is APGD-CE, APGD-T, FAB-T and Square (L∞; L2 has no Square),
/// as the reference's; the rand version runs APGD-CE and APGD-DLR with expectation over 20 draws.
/// </summary>
public static class AutoAttackEvaluation
{
    /// <summary>What the ensemble reports itself as: AutoAttack, an untargeted white-box evasion attack (Croce and Hein 2020).</summary>
    public static IAttack Attack { get; } = new Ensemble();

    /// <summary>The members of <paramref name="version"/> at radius <paramref name="epsilon"/>, with AutoAttack's settings.</summary>
    public static IReadOnlyList<IEvasionAttack<IDifferentiableClassifier>> Members(AutoAttackVersion version, double epsilon, Norm norm, long seed)
    {
        Guard.Defined(version, nameof(version));
        ApgdOptions Apgd(GradientLoss loss, int? targets = null, int eot = 1) =>
            new() { Epsilon = epsilon, Norm = norm, Steps = 100, Restarts = 1, Loss = loss, TargetClasses = targets, EotIterations = eot, Seed = seed };
        if (version == AutoAttackVersion.Rand)
            return [new Apgd(Apgd(GradientLoss.CrossEntropy, eot: 20)), new Apgd(Apgd(GradientLoss.Dlr, eot: 20))];
        var members = new List<IEvasionAttack<IDifferentiableClassifier>>
        {
            new Apgd(Apgd(GradientLoss.CrossEntropy)),
            new Apgd(Apgd(GradientLoss.Dlr, targets: 9)),
            new Fab(new FabOptions { Epsilon = epsilon, Norm = norm, Steps = 100, Restarts = 1, TargetClasses = 9, Seed = seed }),
        };
        if (norm == Norm.LInf) members.Add(new SquareAttack(new SquareOptions { Epsilon = epsilon, MaxQueries = 5001, PInit = 0.8, Seed = seed }));
        return members;
    }

    /// <summary>
    /// Runs the ensemble on <paramref name="inputs"/> [N, ...] with true <paramref name="labels"/> [N].
    /// </summary>
    /// <exception cref="ArgumentException">A member needs gradients and <paramref name="model"/> is not an <see cref="IDifferentiableClassifier"/>; or bad inputs or labels.</exception>
    public static AutoAttackReport Evaluate(IClassifier model, Tensor inputs, Tensor labels, AutoAttackOptions? options = null,
        IProgress<AutoAttackRow>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = (options ?? new AutoAttackOptions()).Validated();
        InputChecks.Inputs(inputs, model.Bounds, nameof(inputs));
        var n = inputs.shape[0];
        Guard.Labels(labels, n, model.ClassCount, nameof(labels));
        var members = settings.Members ?? Members(settings.Version, settings.Epsilon, settings.Norm, settings.Seed);
        var whiteBox = members.FirstOrDefault(m => m.Descriptor.Access == ModelAccess.WhiteBox || (model is not IDifferentiableClassifier && m is not IEvasionAttack<IClassifier>));
        if (whiteBox is not null && model is not IDifferentiableClassifier)
            throw new ArgumentException(
                $"AutoAttack's {whiteBox.Descriptor.Name} needs white-box access (the model's gradients): pass an IDifferentiableClassifier, or run a score-based member such as SquareAttack alone on a black box.",
                nameof(model));

        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var x = inputs.detach().to(model.Device).to_type(ScalarType.Float32);
        var y = labels.to(model.Device).to_type(ScalarType.Int64);
        var robust = model.Predict(x, settings.BatchSize ?? 1024).to(model.Device).eq(y);
        var clean = robust.to_type(ScalarType.Float64).mean().item<double>();
        var run = new RunOptions { BatchSize = settings.BatchSize };
        var rows = new List<AutoAttackRow>();
        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var memberScope = NewDisposeScope();
            var memberWatch = Stopwatch.StartNew();
            var left = robust.nonzero().squeeze(1);
            var broken = 0;
            var queriesBefore = model.QueryCount;
            if (left.numel() > 0)
            {
                using var goal = new GoalOwner(y.index_select(0, left));
                var subset = x.index_select(0, left);
                var subGoal = AttackGoal.Untargeted(goal.Labels);
                using var result = model is IDifferentiableClassifier white
                    ? member.Run(white, subset, subGoal, run, cancellationToken)
                    : ((IEvasionAttack<IClassifier>)member).Run(model, subset, subGoal, run, cancellationToken);
                var success = result.Success.to(model.Device);
                broken = (int)success.sum().item<long>();
                robust.index_copy_(0, left, success.logical_not());
            }
            var row = new AutoAttackRow(member.Descriptor.Name, robust.to_type(ScalarType.Float64).mean().item<double>(), broken,
                model.QueryCount - queriesBefore, memberWatch.Elapsed);
            rows.Add(row);
            progress?.Report(row);
        }
        var flags = robust.cpu().data<bool>().ToArray();
        watch.Stop();
        return new AutoAttackReport((int)n, clean, flags.Count(f => f) / (double)n, rows, flags, watch.Elapsed);
    }

    /// <summary>Owns the labels of one member's goal.</summary>
    private sealed class GoalOwner(Tensor labels) : IDisposable
    {
        public Tensor Labels { get; } = labels;

        public void Dispose() => Labels.Dispose();
    }

    private sealed class Ensemble : IAttack
    {
        public AttackDescriptor Descriptor => new("AutoAttack", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Croce2020, GoalSupport.Untargeted);
    }
}
