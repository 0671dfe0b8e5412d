using System.CommandLine;
using NeuralShield.Reports;
using NeuralShield.Reproductions;

namespace NeuralShield.Cli.Reproduce;

/// <summary>
/// <c>neuralshield reproduce &lt;experiment&gt; [--data DIR] [--samples N] [--seed S] [--epochs N] [--train-steps N] [--lambda L]
/// [--oracle model.onnx] [--device cpu|cuda] [--threads N] [--json FILE] [--cache DIR]</c>.
/// </summary>
internal static class ReproduceCommand
{
    /// <summary>
    /// Every reproduction of the library and of the packages that keep their own (the encrypted inference, in
    /// NeuralShield.Encrypted), by name.
    /// </summary>
    public static IReadOnlyDictionary<string, IReproduction> Experiments { get; } = ReproductionCatalog.All.Values
        .Concat(ReproductionCatalog.In(typeof(NeuralShield.Encrypted.EncryptedInferenceEvaluation).Assembly).Values)
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The experiments that read each experiment-specific option (training settings, the ONNX oracle); the option is refused for the others.</summary>
    internal static IReadOnlyDictionary<string, string[]> TrainingOptionUsers { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["--epochs"] = ["adversarial-training", "autoattack", "cw", "distillation", "dpsgd", "encrypted-inference", "hopskipjump", "learnability", "property", "recording", "saturation", "square"],
        ["--train-steps"] = ["adversarial-training", "autoattack", "cw", "square"],
        ["--lambda"] = ["saturation"],
        ["--oracle"] = ["hopskipjump", "square", "substitute", "transfer"],
        ["--cluster"] = ["membership"],
    };

    public static Command Create(GlobalOptions globals)
    {
        var experiment = new Argument<string>("experiment") { Description = "Which paper experiment (listed below)", HelpName = "experiment" };
        experiment.AcceptOnlyFromAmong(Experiments.Keys.ToArray());
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = $"Folder with MNIST in IDX format (train-first10k-* or train-*, and t10k-*); default: {DataFolders.MnistVariable}, " +
                          $"else {DataFolders.MnistRelativePath} in the current folder or any folder above it (or above the application's folder)",
        };
        var samples = GlobalOptions.AtLeastOne("--samples", "Number of test images to attack (default: the experiment's)");
        var seed = new Option<long>("--seed") { Description = "Seed of training and attacks", DefaultValueFactory = _ => 0 };
        var json = new Option<FileInfo?>("--json") { Description = "Write the report as JSON to this file" };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Folder for trained models (default: NEURALSHIELD_CACHE, else the user's cache)" };
        var epochs = GlobalOptions.AtLeastOne("--epochs",
            "Training epochs of every model the defense experiment trains (adversarial-training: PGD 45, FGSM 10 on CPU, 60 and 20 on CUDA; " +
            "distillation: 10, CUDA 30; saturation: 30, CUDA 60; learnability: 30)");
        var trainSteps = GlobalOptions.AtLeastOne("--train-steps",
            "PGD steps of adversarial training (adversarial-training: 7 on CPU, step 2.5*eps/steps; 40 on CUDA, step 0.01)");
        var lambda = GlobalOptions.Positive("--lambda", "Saturation penalty weight (saturation: 0.1)");
        var oracle = new Option<FileInfo?>("--oracle")
        {
            Description = "An ONNX classifier (MNIST-shaped, pixels in [0, 1]) queried as a black box: the oracle of substitute " +
                          "(default: the cached LeNet-5), an extra black-box column and substitute row of transfer",
        };
        var command = new Command("reproduce", "Reproduce a paper's experiment and print it next to the paper's numbers");
        command.Arguments.Add(experiment);
        var variant = new Option<string[]>("--variant")
        {
            Description = "A variant of the experiment as key=value, repeatable (substitute, transfer, detector, keyed-transform: " +
                "substitute=lenet5|mlp, jacobian=probabilities|logits, training=continue|retrain, first-sign=negative|positive)",
            AllowMultipleArgumentsPerToken = false,
        };
        var testOrder = new Option<long?>("--test-order") { Description = "Attack the test images in the order of a random permutation with this seed (default: the file's order)" };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Comma-separated HOST:PORT gateways of training silos (neuralshield silo): membership on Adult trains its shadow models there",
        };
        foreach (var o in new Option[] { data, samples, seed, json, cache, epochs, trainSteps, lambda, oracle, variant, cluster, testOrder }) command.Options.Add(o);
        command.Validators.Add(result =>
        {
            var name = result.GetValue(experiment);
            if (name is not null && !Experiments.ContainsKey(name)) result.AddError($"unknown experiment '{name}' (neuralshield reproduce --help lists them).");
            foreach (var option in new Option[] { epochs, trainSteps, lambda, oracle, cluster })
            {
                var users = TrainingOptionUsers[option.Name];
                if (result.GetResult(option) is { Implicit: false } && name is not null && !users.Contains(name))
                    result.AddError($"{option.Name} applies only to {string.Join(", ", users)}, not to {name}.");
            }
            if (result.GetValue(oracle) is { } file && !file.Exists)
                result.AddError($"--oracle file {file.FullName} does not exist.");
            if (name is not null && Experiments.TryGetValue(name, out var chosen))
            {
                foreach (var pair in result.GetValue(variant) ?? [])
                {
                    var key = pair.Split('=', 2)[0].Trim();
                    if (!pair.Contains('=') || key.Length == 0)
                        result.AddError($"--variant takes key=value; got '{pair}'.");
                    else if (!chosen.VariantKeys.Contains(key))
                        result.AddError(chosen.VariantKeys.Count == 0
                            ? $"{name} has no variants (--variant {key})."
                            : $"{name} has no variant '{key}'; its variants are {string.Join(", ", chosen.VariantKeys)}.");
                }
            }
        });
        CommandRunner.SetAction(command, globals, (parse, run, ct) =>
        {
            var name = parse.GetValue(experiment)!;
            var jsonFile = parse.GetValue(json);
            if (jsonFile is not null) Audit.ReportFiles.CheckWritable("--json", jsonFile.FullName, folder: false);
            var dir = DataFolders.Resolve(parse.GetValue(data), Experiments[name].Data);
            var blackBoxes = BlackBoxFiles.Open(name, parse.GetValue(oracle)?.FullName);
            var remote = parse.GetValue(cluster) is { } gateways ? Cluster.ClusterCommands.ConnectForShadows(Cluster.ClusterCommands.ParseGateways(gateways)) : null;
            ReproductionReport report;
            try
            {
                var context = new ReproductionContext(dir, parse.GetValue(samples), parse.GetValue(seed), run.Device,
                    parse.GetValue(cache)?.FullName ?? CliOptions.DefaultCache(), run.Out,
                    parse.GetValue(epochs), parse.GetValue(trainSteps), parse.GetValue(lambda), blackBoxes,
                    (parse.GetValue(variant) ?? []).Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal),
                    remote, TestOrder: parse.GetValue(testOrder));
                report = Experiments[name].Run(context, ct);
            }
            finally
            {
                foreach (var box in blackBoxes) ((IDisposable)box.Classifier).Dispose();
                if (remote?.Service is IAsyncDisposable service) service.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            foreach (var plot in report.Plots)
            {
                var path = Path.GetFullPath(plot.File);
                ReproductionPlotSvg.Save(plot, path);
                run.Out.WriteLine($"  plot written to {path}");
            }
            report.Setting["device"] = run.Device.type.ToString().ToLowerInvariant();
            if (parse.GetValue(testOrder) is { } order) report.Setting["test_order"] = $"permutation seed {order}";
            run.Out.WriteLine();
            run.Out.WriteLine(report.ToTable());
            if (jsonFile is not null)
            {
                File.WriteAllText(jsonFile.FullName, report.ToJson());
                run.Out.WriteLine($"JSON written to {jsonFile.FullName}");
            }
            return 0;
        });
        return command;
    }
}

/// <summary><c>--help</c> as System.CommandLine writes it, followed for <c>reproduce</c> by its experiments, one a line with a description.</summary>
internal sealed class ExperimentListHelp(System.CommandLine.Help.HelpAction inner) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var code = inner.Invoke(parseResult);
        if (parseResult.CommandResult.Command.Name == "reproduce")
            parseResult.InvocationConfiguration.Output.WriteLine("Experiments:" + Environment.NewLine + ReportTable.FormatRows(
                [["  name", "what it reproduces"], .. ReproduceCommand.Experiments.Values.Select(e => new[] { "  " + e.Name, e.Description })]));
        return code;
    }
}
