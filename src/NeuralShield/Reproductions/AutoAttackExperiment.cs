using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// AutoAttack (Croce and Hein, ICML 2020) at ε = 0.3 L∞ on the first N MNIST test images against the reproductions'
/// cached models: the PGD-trained LeNet-5 of <c>reproduce adversarial-training</c> (default), the distilled one of
/// <c>reproduce distillation</c>, the saturated sigmoid MLP of <c>reproduce saturation</c>, or the plain LeNet-5. Prints the robust accuracy after each member and the worst case.
/// <c>--variant export=DIR</c> writes the weights, images, labels and per-sample results for
/// benchmarks/reference/autoattack_reference.py, which runs fra31/auto-attack on the same weights.
/// </summary>
internal sealed class AutoAttackExperiment() : MnistReproduction(
    "autoattack",
    "Croce & Hein 2020, AutoAttack (APGD-CE, APGD-T, FAB-T, Square) at eps 0.3 Linf on the cached defended models",
    defaultSamples: null)
{
    private const double Epsilon = 0.3;

    public override IReadOnlyList<string> VariantKeys => ["model", "version", "export"];

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData all, CancellationToken cancellationToken)
    {
        var which = context.Variant("model", "pgd", "distilled", "saturated", "plain");
        var version = context.Variant("version", "standard", "apgd-ce", "fab-t", "rand");
        using var images = all.Take(context.Samples ?? 1000);
        using var model = Model(context, which, train, cancellationToken);

        var members = version switch
        {
            "apgd-ce" => [AutoAttackEvaluation.Members(AutoAttackVersion.Standard, Epsilon, Metrics.Norm.LInf, context.Seed)[0]],
            "fab-t" => [AutoAttackEvaluation.Members(AutoAttackVersion.Standard, Epsilon, Metrics.Norm.LInf, context.Seed)[2]],
            "rand" => AutoAttackEvaluation.Members(AutoAttackVersion.Rand, Epsilon, Metrics.Norm.LInf, context.Seed),
            _ => AutoAttackEvaluation.Members(AutoAttackVersion.Standard, Epsilon, Metrics.Norm.LInf, context.Seed),
        };
        context.Log.WriteLine($"  AutoAttack {version} (eps {Epsilon} Linf) on the first {images.Count} test images: {string.Join(", ", members.Select(m => m.Descriptor.Name))}");
        var progress = new SynchronousProgress<AutoAttackRow>(r =>
            context.Log.WriteLine($"  after {r.Attack,-8} robust accuracy {r.RobustAccuracy:P2} ({r.Broken} broken, {r.Queries} queries, {r.Elapsed.TotalSeconds:F1} s)"));
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var result = AutoAttackEvaluation.Evaluate(model, images.Features, images.Labels,
            new AutoAttackOptions { Epsilon = Epsilon, Members = members, Seed = context.Seed }, progress, cancellationToken);
        var cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        context.Log.WriteLine($"  clean {result.CleanAccuracy:P2}, AutoAttack robust accuracy {result.RobustAccuracy:P2} ({result.Elapsed.TotalSeconds:F1} s wall, {cpuSeconds:F1} s CPU)");

        if (context.Variants is not null && context.Variants.TryGetValue("export", out var folder))
            Export(folder, model, images.Features, images.Labels, result, cpuSeconds);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = which;
        report.Setting["version"] = version;
        report.Setting["members"] = string.Join(", ", members.Select(m => m.Descriptor.Name));
        report.Setting["epsilon"] = Epsilon;
        report.Setting["samples"] = images.Count;
        report.Setting["seed"] = context.Seed;
        report.Setting["settings"] = "APGD 100 iterations, 1 restart, rho 0.75; APGD-T 9 target classes; FAB-T 9 target classes, 100 iterations, 1 run each, alpha_max 0.1, eta 1.05, beta 0.9; Square 5,000 iterations (5,001 queries), p_init 0.8; batches of 250";
        report.Metrics["clean_accuracy"] = result.CleanAccuracy;
        foreach (var row in result.Rows)
        {
            report.Metrics[$"robust_accuracy_after.{row.Attack}"] = row.RobustAccuracy;
            report.Metrics[$"seconds.{row.Attack}"] = row.Elapsed.TotalSeconds;
        }
        report.Metrics["robust_accuracy"] = result.RobustAccuracy;
        report.Evasion($"LeNet-5 {which}", AutoAttackEvaluation.Attack, $"{version}: {report.Setting["members"]}, eps {Epsilon} Linf", "untargeted", result.AsEvasionMetrics(),
            "Madry et al. MNIST model: AutoAttack 88.50% robust (Croce & Hein 2020, Table 2)");
        report.Metrics["seconds"] = result.Elapsed.TotalSeconds;
        report.Metrics["cpu_seconds"] = cpuSeconds;
        report.Paper["robust_accuracy"] = "Madry et al. MNIST model: clean 98.53%, reported 89.62%, AutoAttack 88.50% (Croce & Hein 2020, Table 2)";
        report.Paper["source"] = "Croce & Hein, ICML 2020, arXiv 2003.01690; reference code fra31/auto-attack";
        return report;
    }

    /// <summary>The cached model of the reproduction that trains it (the same keys as there): a LeNet-5, or the saturated sigmoid MLP.</summary>
    internal static TorchClassifier Model(ReproductionContext context, string which, NeuralShield.Data.LabeledData train, CancellationToken cancellationToken)
    {
        if (which == "plain") return ExperimentData.LeNet5(context, train, cancellationToken);
        var (key, trainer) = which switch
        {
            "pgd" => ($"lenet5-pgd-eps0.3-k{context.TrainSteps ?? 7}-w3-e{context.Epochs ?? 45}", "adversarial-training"),
            "saturated" => ($"mlp200x2-sigmoid-saturated-l{context.Lambda ?? 0.1}-e{context.Epochs ?? 30}", "saturation"),
            _ => ($"lenet5-distilled-T100-lr0.005-e{context.Epochs ?? 10}", "distillation"),
        };
        var path = Path.Combine(context.CacheDirectory, $"{key}-seed{context.Seed}.bin");
        if (!File.Exists(path))
            throw new ReproductionSettingException($"no cached {which} model {path}: run `reproduce {trainer}` with the same --seed, --epochs and --cache first.");
        var module = (which == "saturated" ? SaturationExperiment.Architecture(context.Seed) : ModelZoo.LeNet5(10, 1, Activation.ReLU, context.Seed)).to(context.Device);
        module.load(path);
        module.eval();
        context.Log.WriteLine($"  loaded {path}");
        return new TorchClassifier(module, 10, InputBounds.Unit, inputShape: [1, 28, 28], ownsModule: true);
    }

    /// <summary>
    /// Writes for the reference script (<see cref="ReferenceExport"/>): the weights, images [N, 1, 28, 28], labels and
    /// results.json (the per-member rows and per-sample flags).
    /// </summary>
    private static void Export(string folder, TorchClassifier model, Tensor images, Tensor labels, AutoAttackReport result, double cpuSeconds) =>
        ReferenceExport.Write(folder, model, images, labels, new
        {
            count = result.Samples, clean = result.CleanAccuracy, robust = result.RobustAccuracy, seconds = result.Elapsed.TotalSeconds, cpu_seconds = cpuSeconds,
            rows = result.Rows.Select(r => new { attack = r.Attack, robust = r.RobustAccuracy, seconds = r.Elapsed.TotalSeconds }),
            robust_flags = result.Robust,
        });
}
