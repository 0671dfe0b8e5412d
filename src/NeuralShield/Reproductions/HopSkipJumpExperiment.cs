using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// HopSkipJump (Chen, Jordan, Wainwright, IEEE S&amp;P 2020), untargeted L2, on the first N MNIST test images the black
/// box classifies correctly: the median L2 distance of its adversarials with a budget of 1,000 and of 5,000 queries per
/// image (the authors' settings otherwise), and, with <c>--variant norm=linf</c>, the median L∞ distance. The black box is
/// the ONNX file of <c>--oracle</c> (labels only), or the reproductions' LeNet-5 queried for labels. Beside it: white-box
/// DeepFool's median L2 (overshoot 0.02, 50 iterations) on the reproductions' LeNet-5 on the same images, the minimal
/// perturbation a gradient attack finds, and (L2) the Boundary attack (Brendel et al., ICLR 2018) with the same budgets.
/// </summary>
internal sealed class HopSkipJumpExperiment : IReproduction
{
    private static readonly int[] Budgets = [1000, 5000];

    public string Name => "hopskipjump";

    public string Description => "Chen et al. 2020, HopSkipJump and Brendel et al. 2018, Boundary (L2, 1,000 and 5,000 queries) on an ONNX black box or the LeNet-5, beside DeepFool";

    public IReadOnlyList<string> VariantKeys => ["norm"];

    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        var norm = context.Variant("norm", "l2", "linf") == "l2" ? Norm.L2 : Norm.LInf;
        var (train, test) = ExperimentData.Mnist(context with { Samples = null }, defaultSamples: 10_000);
        using var _ = train;
        using var all = test;
        using var images = all.Take(context.Samples ?? 100);
        using var lenet = ExperimentData.LeNet5(context, train, cancellationToken);
        var (blackBox, modelName) = context.BlackBoxes is { Count: > 0 } boxes
            ? (boxes[0].Classifier, $"ONNX {Path.GetFileName(boxes[0].Path)} (labels only)")
            : ((IClassifier)lenet, "LeNet-5 (labels only)");

        var report = new ReproductionReport(Name);
        using var scope = NewDisposeScope();
        var x = images.Features.to(blackBox.Device);
        var y = images.Labels.to(blackBox.Device).to_type(ScalarType.Int64);
        var correct = blackBox.Predict(x).to(blackBox.Device).eq(y).nonzero().squeeze(1);
        var attacked = correct.shape[0];
        report.Metrics["clean_accuracy"] = attacked / (double)images.Count;
        var xs = x.index_select(0, correct);
        var ys = y.index_select(0, correct);
        var suffix = norm == Norm.L2 ? "l2" : "linf";
        foreach (var budget in Budgets)
        {
            var attack = new HopSkipJump(new HopSkipJumpOptions { Norm = norm, MaxQueries = budget, Seed = context.Seed });
            using var result = attack.Run(blackBox, xs, AttackGoal.Untargeted(ys), new RunOptions { BatchSize = 100 }, cancellationToken);
            var distances = (norm == Norm.L2 ? result.L2 : result.LInf).masked_select(result.Success.to(result.L2.device)).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var median = distances.Length == 0 ? double.NaN : QueryAttackEvaluation.Median(distances);
            report.Metrics[$"q{budget}.success_rate"] = result.Metrics.SuccessRate;
            report.Metrics[$"q{budget}.median_{suffix}"] = median;
            report.Metrics[$"q{budget}.mean_queries"] = result.Metrics.Queries / (double)Math.Max(attacked, 1);
            report.Metrics[$"q{budget}.seconds"] = result.Metrics.Elapsed.TotalSeconds;
            report.Evasion(modelName, attack, $"{suffix}, {budget} queries per image", "untargeted", result.Metrics);
            context.Log.WriteLine($"  HopSkipJump {suffix}, {budget} queries per image, on {modelName}: success {result.Metrics.SuccessRate:P2} of {attacked}, "
                + $"median {suffix} {median:F4} ({result.Metrics.Elapsed.TotalSeconds:F1} s)");
        }

        // The Boundary attack (L2 only) on the same black box and budgets.
        foreach (var budget in norm == Norm.L2 ? Budgets : [])
        {
            var boundary = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = budget, Seed = context.Seed });
            using var result = boundary.Run(blackBox, xs, AttackGoal.Untargeted(ys), new RunOptions { BatchSize = 100 }, cancellationToken);
            var distances = result.L2.masked_select(result.Success.to(result.L2.device)).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var median = distances.Length == 0 ? double.NaN : QueryAttackEvaluation.Median(distances);
            report.Metrics[$"boundary.q{budget}.success_rate"] = result.Metrics.SuccessRate;
            report.Metrics[$"boundary.q{budget}.median_l2"] = median;
            report.Metrics[$"boundary.q{budget}.seconds"] = result.Metrics.Elapsed.TotalSeconds;
            report.Evasion(modelName, boundary, $"l2, {budget} queries per image", "untargeted", result.Metrics);
            context.Log.WriteLine($"  Boundary attack, {budget} queries per image: success {result.Metrics.SuccessRate:P2}, median l2 {median:F4} ({result.Metrics.Elapsed.TotalSeconds:F1} s)");
        }

        // White-box DeepFool on the LeNet-5 (its own correctly classified images among the same ones).
        var lx = images.Features.to(lenet.Device);
        var ly = images.Labels.to(lenet.Device).to_type(ScalarType.Int64);
        var lenetCorrect = lenet.Predict(lx).to(lenet.Device).eq(ly);
        report.Metrics["lenet5_clean_accuracy"] = lenetCorrect.to_type(ScalarType.Float64).mean().item<double>();
        var deepFool = new DeepFool(new DeepFoolOptions { Norm = norm, Overshoot = 0.02, MaxIterations = 50, CandidateClasses = 10 });
        using (var white = deepFool.Run(lenet, lx, AttackGoal.Untargeted(ly), cancellationToken))
        {
            var counted = white.Success.to(lenet.Device).logical_and(lenetCorrect);
            var d = (norm == Norm.L2 ? white.L2 : white.LInf).to(lenet.Device).masked_select(counted).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            report.Metrics[$"deepfool.median_{suffix}"] = d.Length == 0 ? double.NaN : QueryAttackEvaluation.Median(d);
            report.Metrics["deepfool.success_rate"] = counted.sum().item<long>() / (double)Math.Max(lenetCorrect.sum().item<long>(), 1);
            report.Evasion("LeNet-5", deepFool, $"{suffix}, white box, overshoot 0.02, 50 iterations", "untargeted", white.Metrics);
            context.Log.WriteLine($"  DeepFool {suffix} (white box) on the LeNet-5 ({report.Metrics["lenet5_clean_accuracy"]:P2} clean): success {report.Metrics["deepfool.success_rate"]:P2}, "
                + $"median {suffix} {report.Metrics[$"deepfool.median_{suffix}"]:F4}");
        }

        report.Setting["model"] = modelName;
        report.Setting["norm"] = suffix;
        report.Setting["hopskipjump"] = "untargeted, gamma 1, 100 probes x sqrt(t) (at most 10,000), geometric step search, 100 random starts; budgets 1,000 and 5,000 queries per image";
        report.Setting["boundary"] = "spherical and source steps 0.01, adapted by 1.5 every 10 steps, 2 queries per step";
        report.Setting["deepfool"] = "white box on the reproductions' LeNet-5: overshoot 0.02, 50 iterations, 10 candidate classes";
        report.Setting["samples"] = images.Count;
        report.Setting["seed"] = context.Seed;
        report.Paper["source"] = "Chen, Jordan, Wainwright, IEEE S&P 2020, arXiv 1904.02144 (median distance against queries in figures, no MNIST table); reference code Jianbo-Lab/HSJA; Brendel, Rauber, Bethge, ICLR 2018, arXiv 1712.04248";
        return report;
    }
}
