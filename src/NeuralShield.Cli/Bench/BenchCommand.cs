using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Cuda;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

using NeuralShield.Workloads;

namespace NeuralShield.Cli.Bench;

/// <summary>
/// <c>neuralshield bench [name...] [--all] [--quick] [--repetitions N] [--warmup N] [--json FILE] [--markdown FILE]
/// [--device cpu|cuda] [--threads N]</c>: a quick measurement of the hot loops, each through the library and as the bare
/// TorchSharp work it needs (<see cref="WorkloadCatalog"/>), with their ratio; or <c>jsma-224</c>, one JSMA iteration at full
/// ImageNet size.
/// </summary>
internal static class BenchCommand
{
    private static readonly Dictionary<string, (string Description, Action<Device, TextWriter, CancellationToken> Run)> Benches = new(StringComparer.Ordinal)
    {
        ["jsma-224"] = ("one JSMA iteration on one 3x224x224 image (150,528 features, 1.1e10 feature pairs) through a tiny conv net", Jsma224),
    };

    public static Command Create(GlobalOptions globals)
    {
        var names = new Argument<string[]>("name")
        {
            Description = "Which loops: " + string.Join(", ", WorkloadCatalog.Names) + "; or " +
                          string.Join(", ", Benches.Select(b => $"{b.Key} ({b.Value.Description})")),
            Arity = ArgumentArity.ZeroOrMore, HelpName = "name",
        };
        names.AcceptOnlyFromAmong([.. WorkloadCatalog.Names, .. Benches.Keys]);
        var all = new Option<bool>("--all") { Description = "Measure every loop (" + string.Join(", ", WorkloadCatalog.Names) + ")" };
        var quick = new Option<bool>("--quick") { Description = "Tiny sizes (a few samples): checks that every loop runs, measures nothing" };
        var repetitions = GlobalOptions.AtLeastOne("--repetitions", "Timed repetitions of each side, alternating which runs first (default 5); the median is reported");
        var warmup = new Option<int?>("--warmup") { Description = "Untimed runs of each side first (default 1)" };
        var json = new Option<string?>("--json") { Description = "Also write the measurements as JSON to this file" };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the table as Markdown to this file" };
        var command = new Command("bench", "Measure the hot loops through NeuralShield next to the bare TorchSharp work they need, or run jsma-224");
        command.Arguments.Add(names);
        foreach (var option in new Option[] { all, quick, repetitions, warmup, json, markdown }) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            var given = result.GetValue(names) ?? [];
            if (given.Length == 0 && !result.GetValue(all)) result.AddError("bench needs a loop name or --all.");
            if (result.GetValue(all) && given.Length > 0) result.AddError("bench takes either loop names or --all, not both.");
            if (given.Length > 1 && given.Any(Benches.ContainsKey)) result.AddError("jsma-224 runs on its own.");
            if (result.GetValue(warmup) is < 0) result.AddError("--warmup must be at least 0.");
        });
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var given = parse.GetValue(names) ?? [];
            if (given.Length == 1 && Benches.TryGetValue(given[0], out var single))
            {
                single.Run(context.Device, context.Out, ct);
                return 0;
            }
            var selected = parse.GetValue(all) ? WorkloadCatalog.Names : given.Distinct(StringComparer.Ordinal).ToArray();
            var sizes = parse.GetValue(quick) ? BenchSizes.Quick : BenchSizes.Full;
            var report = BenchSuite.Run(selected, context.Device, sizes, parse.GetValue(warmup) ?? 1, parse.GetValue(repetitions) ?? 5, context.Threads, context.Out, ct);
            var table = BenchSuite.ToMarkdown(report);
            context.Out.WriteLine();
            context.Out.Write(table);
            if (parse.GetValue(json) is { } jsonPath) File.WriteAllText(jsonPath, BenchSuite.ToJson(report));
            if (parse.GetValue(markdown) is { } markdownPath) File.WriteAllText(markdownPath, table);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// JSMA on a 3×224×224 input: γ = 2/n gives exactly one pair iteration (one forward pass, the backward passes and
    /// one search over all n(n−1)/2 pairs). Runs JSMA-F and JSMA-Z with the default exact pruning, then JSMA-Z scoring
    /// every pair, all under the pair-search budget of <see cref="DeviceMemory.JsmaPairSearchBytes(Device, long, double)"/> (on the CPU the 64 MiB default); prints wall time and the process's peak resident memory.
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
        // Where --device cuda: pair-search blocks sized from the free device memory; on the CPU the 64 MiB default.
        var pairSearchBytes = DeviceMemory.JsmaPairSearchBytes(device, n);
        log.WriteLine($"3x224x224 = {n} features, {n * (n - 1) / 2:E2} pairs; iteration budget {Jsma.IterationBudget(n, gamma)}; " +
                      $"pair-search budget {pairSearchBytes >> 20} MiB; device {device.type}; torch threads {get_num_threads()} (inter-op {get_num_interop_threads()})");
        foreach (var (output, prune) in new[] { (JsmaOutput.Probabilities, true), (JsmaOutput.Logits, true), (JsmaOutput.Logits, false) })
        {
            var attack = new Jsma(new JsmaOptions { Gamma = gamma, Output = output, PairSearchPruning = prune, PairSearchMemoryBytes = pairSearchBytes });
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
