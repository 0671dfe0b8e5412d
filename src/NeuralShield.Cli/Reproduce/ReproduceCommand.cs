using System.CommandLine;
using System.Reflection;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Reproduce;

/// <summary><c>neuralshield reproduce &lt;experiment&gt; --data DIR [--samples N] [--seed S] [--device cpu|cuda] [--json FILE]</c>.</summary>
internal static class ReproduceCommand
{
    /// <summary>Every experiment of this assembly, by name.</summary>
    public static IReadOnlyDictionary<string, IExperiment> Experiments { get; } = typeof(ReproduceCommand).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IExperiment).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IExperiment)Activator.CreateInstance(t)!)
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToDictionary(e => e.Name, StringComparer.Ordinal);

    public static Command Create()
    {
        var experiment = new Argument<string>("experiment")
        {
            Description = "Which paper experiment: " + string.Join(", ", Experiments.Values.Select(e => $"{e.Name} ({e.Description})")),
        };
        experiment.AcceptOnlyFromAmong(Experiments.Keys.ToArray());
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Folder with MNIST in IDX format (train-first10k-* or train-*, and t10k-*)",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared", "data", "mnist")),
        };
        var samples = new Option<int?>("--samples") { Description = "Number of test images to attack (default: the experiment's)" };
        var seed = new Option<long>("--seed") { Description = "Seed of training and attacks", DefaultValueFactory = _ => 0 };
        var device = CliOptions.DeviceOption();
        var json = new Option<FileInfo?>("--json") { Description = "Write the report as JSON to this file" };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Folder for trained models (default: the user's cache)" };
        var command = new Command("reproduce", "Reproduce a paper's experiment and print it next to the paper's numbers");
        command.Arguments.Add(experiment);
        foreach (var o in new Option[] { data, samples, seed, device, json, cache }) command.Options.Add(o);
        command.SetAction((parse, ct) =>
        {
            var dev = CliOptions.ResolveDevice(parse.GetValue(device)!);
            if (parse.GetValue(samples) is { } s && s <= 0) throw new ArgumentOutOfRangeException(nameof(samples), s, "--samples must be positive.");
            var dir = parse.GetValue(data)!;
            if (!dir.Exists) throw new DirectoryNotFoundException($"--data folder {dir.FullName} does not exist.");
            var context = new ExperimentContext(dir.FullName, parse.GetValue(samples), parse.GetValue(seed), dev,
                parse.GetValue(cache)?.FullName ?? CliOptions.DefaultCache(), Console.Out);
            var report = Experiments[parse.GetValue(experiment)!].Run(context, ct);
            report.Setting["device"] = dev.type.ToString().ToLowerInvariant();
            Console.WriteLine();
            Console.WriteLine(report.ToTable());
            if (parse.GetValue(json) is { } file)
            {
                File.WriteAllText(file.FullName, report.ToJson());
                Console.WriteLine($"JSON written to {file.FullName}");
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
