using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Defenses.Training;
using NeuralShield.Reports;
using static NeuralShield.Reproductions.DefenseExperimentSupport;

namespace NeuralShield.Reproductions;

/// <summary>
/// The transfer matrix of FGSM ε = 0.3 over softmax regression, an MLP, LeNet-5, the distilled LeNet-5 (T = 100) and the
/// third-party ONNX models (<c>mnist-8.onnx</c>, <c>lenet5-pytorch.onnx</c> under <c>shared/models</c>, and <c>--oracle</c>)
/// as black-box columns, with a row crafted on a Jacobian substitute of the LeNet-5 and of each ONNX model, and the
/// gradient-masking flags (issue 10: the flag must be raised on the distilled model). Reuses the models the fgsm,
/// distillation and substitute reproductions cache.
/// </summary>
internal sealed class TransferExperiment() : SubstituteReproduction(
    "transfer",
    "transfer matrix of FGSM eps=0.3 over softmax regression, MLP, LeNet-5, distilled LeNet-5, the shared ONNX models and Jacobian substitutes, gradient-masking flags")
{
    private const double Temperature = 100;
    private const double HotLearningRate = 5e-3;
    private const int Epochs = 10;

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken)
    {
        var samples = context.Samples ?? 1000;
        TrainingOptions Options() => new() { Epochs = context.Epochs ?? Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };

        context.Log.WriteLine("  softmax regression (as the fgsm reproduction)");
        using var softmax = CachedPlain(context, "softmax-regression", s => ModelZoo.SoftmaxRegression(784, 10, s), train, Options(), cancellationToken);
        context.Log.WriteLine("  MLP 784-200-200-10");
        using var mlp = CachedPlain(context, "mlp-784-200-200-adam-lr1e-3-e10-b128", s => ModelZoo.Mlp(784, [200, 200], 10, Activation.ReLU, s),
            train, Options(), cancellationToken);
        context.Log.WriteLine($"  LeNet-5: {ExperimentData.LeNet5Training}");
        using var lenet = ExperimentData.LeNet5(context, train, cancellationToken);
        context.Log.WriteLine($"  distilled LeNet-5, T = {Temperature} (as the distillation reproduction on CPU)");
        Func<long, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> factory = s => ModelZoo.LeNet5(seed: s);
        var distillation = new DefensiveDistillation(new DefensiveDistillationOptions
        {
            Temperature = Temperature,
            Recipe = new ModelRecipe
            {
                Architecture = factory, Seed = context.Seed, Device = context.Device,
                Training = new TrainingOptions { Epochs = context.Epochs ?? Epochs, BatchSize = 128, LearningRate = HotLearningRate, Seed = context.Seed },
            },
        });
        using var distilled = new TorchClassifier(
            CachedDefense(context, $"lenet5-distilled-T{Temperature}-lr{HotLearningRate}-e{Epochs}", factory,
                () => distillation.Fit(train, null, Progress(context, "teacher/student"), cancellationToken)),
            10, InputBounds.Unit, ownsModule: true);

        // The black-box models the caller opened (the shared third-party ONNX files, and --oracle when it names another file).
        var onnxModels = context.BlackBoxes ?? [];
        var extractions = new List<JacobianSubstituteResult>();
        try
        {
            // A row for every model without gradients: adversarials crafted on a Jacobian substitute trained against it.
            var sources = new List<TransferSource>();
            var substitutes = new List<(string Name, BlackBoxSupport.Outcome Outcome)>();
            foreach (var (name, oracle) in new[] { ("lenet5", (IClassifier)lenet) }.Concat(onnxModels.Select(m => (m.Name, m.Classifier))))
            {
                cancellationToken.ThrowIfCancellationRequested();
                context.Log.WriteLine($"  Jacobian substitute of {name} (label-only)");
                var outcome = BlackBoxSupport.Substitute(context, oracle, seeds, evaluated, cancellationToken);
                extractions.Add(outcome.Extraction);
                substitutes.Add((name, outcome));
                sources.Add(new TransferSource($"substitute_of_{name}", outcome.Extraction.Substitute));
                context.Log.WriteLine($"    {outcome.Extraction.OracleQueries} queries, transfer to {name} over all evaluated images {outcome.Transfer.SuccessRate:P1}");
            }
            var report = Evaluate(context, softmax, mlp, lenet, distilled, onnxModels, sources, evaluated, samples, extractions[0].OracleQueries, cancellationToken);
            foreach (var (name, outcome) in substitutes)
                report.Extraction(name, outcome.Attack, $"{BlackBoxSupport.RecipeName(context)} substitute (label-only), then FGSM eps={BlackBoxSupport.Epsilon} from it",
                    outcome.Metrics(seeds.Count, evaluated.Count));
            return report;
        }
        finally
        {
            foreach (var e in extractions) e.Dispose();
        }
    }

    private ReproductionReport Evaluate(ReproductionContext context, IDifferentiableClassifier softmax, IDifferentiableClassifier mlp, IDifferentiableClassifier lenet,
        IDifferentiableClassifier distilled, IReadOnlyList<BlackBoxModel> onnxModels, IReadOnlyList<TransferSource> sources,
        NeuralShield.Data.LabeledData evaluated, int samples, long substituteQueries, CancellationToken cancellationToken)
    {
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = BlackBoxSupport.Epsilon });
        var models = new[]
        {
            new TransferModel("softmax", softmax), new TransferModel("mlp", mlp), new TransferModel("lenet5", lenet), new TransferModel("lenet5_distilled", distilled),
        }.Concat(onnxModels.Select(m => new TransferModel(m.Name, m.Classifier))).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var matrix = TransferEvaluation.Evaluate(models, sources, evaluated,
            new TransferEvaluationOptions { Attack = fgsm, Samples = samples, Progress = context.IndentedLog() },
            cancellationToken);
        context.Log.WriteLine($"  matrix over {matrix.Samples} samples ({watch.Elapsed.TotalSeconds:F0} s):");
        context.Log.WriteLine("  " + string.Join("", new[] { "from \\ to" }.Concat(matrix.Columns).Select(c => c.PadLeft(18))));
        foreach (var row in matrix.Rows)
            context.Log.WriteLine("  " + row.PadLeft(18) + string.Join("", matrix.Columns.Select(c => $"{matrix[row, c]:P1}".PadLeft(18))));
        foreach (var flag in matrix.MaskingFlags)
            context.Log.WriteLine($"  {flag.Model}: white-box {flag.WhiteBoxSuccess:P1}, best other {flag.BestOtherSuccess:P1} ({flag.BestOtherSource}){(flag.Flagged ? "  -> gradient masking" : "")}");

        var report = new ReproductionReport(Name);
        report.Setting["attack"] = $"FGSM eps={BlackBoxSupport.Epsilon}, untargeted, crafted on the row, judged on the column";
        report.Setting["models"] = "softmax regression (fgsm reproduction's); MLP 784-200-200-10 (Adam 1e-3, 10 epochs); LeNet-5 (shared); distilled LeNet-5 T=100 (distillation reproduction's)";
        report.Setting["rows"] = string.Join(", ", matrix.Rows);
        report.Setting["columns"] = string.Join(", ", matrix.Columns);
        report.Setting["samples"] = $"{matrix.Samples} evaluated test images classified correctly by every model (seeds excluded)";
        report.Setting["masking_margin"] = matrix.Margin;
        report.Setting["substitute"] = $"{BlackBoxSupport.RecipeName(context)}, 150 seeds, rho=6, {substituteQueries} oracle queries per substitute; one substitute per model without a white-box row";
        report.Setting["onnx_models"] = onnxModels.Count == 0
            ? "none given (the CLI looks for shared/models above the current or the application's folder; pass --oracle)"
            : string.Join("; ", onnxModels.Select(m => $"{m.Name} = {Path.GetFileName(m.Path)}")) +
              ": black-box columns; their rows are FGSM crafted on a Jacobian substitute of each (label-only), no white-box diagonal, so no masking flag can be raised on them";
        report.Setting["seed"] = context.Seed;
        foreach (var (key, value) in matrix.Flatten("matrix")) report.Metrics[key] = value;
        foreach (var flag in matrix.MaskingFlags) report.Metrics[$"masking_flags.{flag.Model}"] = flag.Flagged ? 1 : 0;
        report.Paper["masking_flags.lenet5_distilled"] = 1;
        report.Paper["source"] = "issue 10 (the flag on the distilled model); Papernot et al., AsiaCCS 2017, arXiv 1602.02697 (transferability)";
        return report;
    }
}
