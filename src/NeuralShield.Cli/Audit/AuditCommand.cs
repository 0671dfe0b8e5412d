using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Audit;

/// <summary>
/// <c>neuralshield audit</c>: trains zoo models on the embedded scikit-learn digits set and runs every
/// evasion attack of the library against them (JSMA toward the next class, the others untargeted), printing a summary table.
/// </summary>
internal static class AuditCommand
{
    /// <summary>One row of the audit table.</summary>
    public sealed record Row(string Model, double CleanAccuracy, string Attack, string Setting, double SuccessRate, double MeanL2, double MeanLInf, long Queries, double Seconds);

    public static Command Create(GlobalOptions globals)
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the data split, training and attacks", DefaultValueFactory = _ => 0 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the rows as JSON to this file" };
        var command = new Command("audit", "Train zoo models on the embedded digits set and run the library's attacks against them");
        command.Options.Add(seed);
        command.Options.Add(json);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var rows = Run(parse.GetValue(seed), context.Device, context.Out, ct);
            context.Out.WriteLine(Format(rows));
            if (parse.GetValue(json) is { } file)
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    public static IReadOnlyList<Row> Run(long seed, Device device, TextWriter log, CancellationToken cancellationToken)
    {
        using var digits = Datasets.Digits();
        var (train, test) = digits.Split(0.8, seed);
        using var _ = train;
        using var __ = test;
        log.WriteLine($"Embedded scikit-learn digits: {train.Count} training and {test.Count} test images of 8x8 pixels in [0, 1].");
        var rows = new List<Row>();
        var models = new (string Name, Func<nn.Module<Tensor, Tensor>> Make)[]
        {
            ("softmax regression", () => ModelZoo.SoftmaxRegression(64, 10, seed)),
            ("MLP 64-128-64-10", () => ModelZoo.Mlp(64, [128, 64], 10, Activation.ReLU, seed)),
        };
        var fgsmThenPgd = new Cascade<IDifferentiableClassifier>(
            new Fgsm(new FgsmOptions { Epsilon = 0.1 }), new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed }));
        var attacks = new (string Name, string Setting, bool Targeted, IEvasionAttack<IDifferentiableClassifier> Attack)[]
        {
            ("FGSM", "eps=0.1", false, new Fgsm(new FgsmOptions { Epsilon = 0.1 })),
            ("FGSM", "eps=0.2", false, new Fgsm(new FgsmOptions { Epsilon = 0.2 })),
            ("PGD-20 Linf", "eps=0.1 step=0.01", false, new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed })),
            ("PGD-20 Linf", "eps=0.2 step=0.02", false, new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.02, Steps = 20, Seed = seed })),
            ("PGD-20 L2", "eps=1.0 step=0.1", false, new Pgd(new PgdOptions { Epsilon = 1.0, StepSize = 0.1, Steps = 20, Norm = Metrics.Norm.L2, Seed = seed })),
            ("Cascade FGSM>PGD", "eps=0.1", false, fgsmThenPgd),
            ("DeepFool L2", "overshoot=0.02", false, new DeepFool()),
            ("DeepFool Linf", "overshoot=0.02", false, new DeepFool(new DeepFoolOptions { Norm = Metrics.Norm.LInf })),
            ("JSMA-F", "target=y+1 gamma=0.145", true, new Jsma()),
        };
        foreach (var (name, make) in models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var module = make().to(device);
            new Trainer(new TrainingOptions { Epochs = 60, BatchSize = 64, LearningRate = 3e-3, Seed = seed }).Fit(module, train, cancellationToken: cancellationToken);
            using var model = new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
            var clean = Evaluation.Accuracy(model, test);
            log.WriteLine($"{name}: clean accuracy {clean:P1}");
            using var nextClass = (test.Labels + 1).remainder(10);
            foreach (var (attackName, setting, targeted, attack) in attacks)
            {
                var goal = targeted ? AttackGoal.Targeted(nextClass) : AttackGoal.Untargeted(test.Labels);
                using var result = attack.Run(model, test.Features, goal, cancellationToken);
                rows.Add(ToRow(name, clean, attackName, setting, result.Metrics));
            }
            // A universal perturbation fit on the training images, applied to the test images with one addition.
            using var fitting = train.Take(500);
            using var universal = new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.2, MaxPasses = 3, BatchSize = 32, Seed = seed })
                .Fit(model, fitting.Features, cancellationToken);
            using var apply = new UniversalPerturbationAttack(universal.Perturbation);
            using (var result = apply.Run(model, test.Features, AttackGoal.Untargeted(test.Labels), cancellationToken))
                rows.Add(ToRow(name, clean, "Universal Linf", $"xi=0.2 fit on 500 train ({universal.FittingFoolingRate:P0} fooled)", result.Metrics));
        }
        return rows;
    }

    private static Row ToRow(string model, double clean, string attack, string setting, EvasionMetrics m) =>
        new(model, clean, attack, setting, m.SuccessRate, m.MeanL2, m.MeanLInf, m.Queries, m.Elapsed.TotalSeconds);

    public static string Format(IReadOnlyList<Row> rows)
    {
        var table = new List<string[]> { new[] { "model", "clean acc", "attack", "setting", "success", "mean L2", "mean Linf", "queries", "time (s)" } };
        string F(double v, string f) => double.IsFinite(v) ? v.ToString(f, CultureInfo.InvariantCulture) : "n/a";
        table.AddRange(rows.Select(r => new[] { r.Model, F(r.CleanAccuracy * 100, "F1") + "%", r.Attack, r.Setting, F(r.SuccessRate * 100, "F1") + "%", F(r.MeanL2, "F3"), F(r.MeanLInf, "F3"), r.Queries.ToString(CultureInfo.InvariantCulture), F(r.Seconds, "F2") }));
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        return string.Join(Environment.NewLine, table.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c])))));
    }
}
