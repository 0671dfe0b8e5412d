using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Bench;

/// <summary><c>neuralshield bench &lt;name&gt; [--device cpu|cuda] [--threads N]</c>: one measured run of a hot loop at a size the unit tests avoid.</summary>
internal static class BenchCommand
{
    private static readonly Dictionary<string, (string Description, Action<Device, TextWriter, CancellationToken> Run)> Benches = new(StringComparer.Ordinal)
    {
        ["jsma-224"] = ("one JSMA iteration on one 3x224x224 image (150,528 features, 1.1e10 feature pairs) through a tiny conv net", Jsma224),
    };

    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("name")
        {
            Description = "Which bench: " + string.Join(", ", Benches.Select(b => $"{b.Key} ({b.Value.Description})")),
        };
        name.AcceptOnlyFromAmong(Benches.Keys.ToArray());
        var command = new Command("bench", "Run one measured pass of a hot loop at full size and print its time and memory");
        command.Arguments.Add(name);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            Benches[parse.GetValue(name)!].Run(context.Device, context.Out, ct);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// JSMA on a 3×224×224 input: γ = 2/n gives exactly one pair iteration (one forward pass, the backward passes and
    /// one search over all n(n−1)/2 pairs). Runs JSMA-F and JSMA-Z with the default exact pruning, then JSMA-Z scoring
    /// every pair, all under the default pair-search budget (64 MiB); prints wall time and the process's peak resident memory.
    /// </summary>
    private static void Jsma224(Device device, TextWriter log, CancellationToken cancellationToken)
    {
        const long n = 3 * 224 * 224;
        random.manual_seed(0);
        using var module = nn.Sequential(
            ("conv", nn.Conv2d(3, 8, 8, stride: 8)), ("act", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(8 * 28 * 28, 10)));
        module.to(device);
        using var model = new TorchClassifier(module, 10, InputBounds.Unit);
        using var generator = new Generator(1);
        using var x = rand([1, 3, 224, 224], generator: generator).to(device);
        using var predicted = model.Predict(x);
        using var target = (predicted + 1).remainder(10);
        var gamma = 2.0 / n;
        log.WriteLine($"3x224x224 = {n} features, {n * (n - 1) / 2:E2} pairs; iteration budget {Jsma.IterationBudget(n, gamma)}; " +
                      $"pair-search budget {JsmaOptions.DefaultPairSearchMemoryBytes >> 20} MiB; device {device.type}; torch threads {get_num_threads()} (inter-op {get_num_interop_threads()})");
        foreach (var (output, prune) in new[] { (JsmaOutput.Probabilities, true), (JsmaOutput.Logits, true), (JsmaOutput.Logits, false) })
        {
            var attack = new Jsma(new JsmaOptions { Gamma = gamma, Output = output, PairSearchPruning = prune });
            var watch = Stopwatch.StartNew();
            using var result = attack.Run(model, x, AttackGoal.Targeted(target), cancellationToken);
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            watch.Stop();
            using var process = Process.GetCurrentProcess();
            var peak = process.PeakWorkingSet64 / (1024.0 * 1024.0);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"JSMA-{(output == JsmaOutput.Probabilities ? "F" : "Z")}, {(prune ? "pruned search" : "every pair scored")}: " +
                $"{watch.Elapsed.TotalSeconds:F2} s, {result.L0.item<float>():F0} features changed, peak resident memory so far {peak:F0} MiB"));
        }
    }
}
