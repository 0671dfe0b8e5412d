using System.CommandLine;
using Microsoft.Extensions.Logging;
using NeuralShield.Audit;
using NeuralShield.Cli.Cluster;
using NeuralShield.Models;
using NeuralShield.Reports;

namespace NeuralShield.Cli.Audit;

/// <summary>
/// <c>neuralshield audit</c>: audits a model (a zoo architecture it trains, a user's ONNX or TorchScript file, or a
/// PyTorch state_dict in a zoo architecture, each as a white box) on a data set with every family of the library's audit
/// catalog, shows progress, writes <c>report.json</c> and <c>report.html</c>, and checks <c>--fail-under</c> gates
/// (exit code 2 when one is missed). The pipeline is the library's (<see cref="Auditor"/>, <see cref="AttackCatalog"/>,
/// <see cref="HtmlReport"/>); this command parses, runs and prints.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Exit code when a gate is missed.</summary>
    public const int GateMissed = 2;

    public static Command Create(GlobalOptions globals)
    {
        var model = new Option<string?>("--model") { Description = "zoo:NAME (trained here), FILE.onnx or a TorchScript file (white box), an ML.NET FILE.zip (black box), or weights with --arch: a PyTorch state_dict or a TorchSharp-saved module (Module.save). Default: zoo:mlp (zoo:tabular-mlp on tabular data)" };
        var arch = new Option<string?>("--arch") { Description = $"The zoo architecture of a weights file: {string.Join(", ", ModelZoo.Names)}" };
        var data = new Option<string>("--data") { Description = "digits (embedded), mnist:DIR, fashion-mnist[:DIR], adult:DIR, cifar10:DIR, images:DIR[@CxHxW] (a folder per class), or a CSV file (features..., label; or a header and --label)", DefaultValueFactory = _ => "digits" };
        var attacks = new Option<string?>("--attacks") { Description = "Comma-separated families (evasion, fooling, membership, transfer, poisoning), entry keys (pgd-linf-0.1; all of them: --list) or prefixes (pgd-*). Default: every entry but those run on request (autoattack-*, not in a family either; --list names them); all: every entry" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for report.json and report.html", DefaultValueFactory = _ => new DirectoryInfo("audit-report") };
        var failUnder = new Option<string[]>("--fail-under")
        {
            Description = "A gate METRIC=BOUND, repeatable (e.g. robust_accuracy@pgd-linf-0.1=0.5, membership_auc=0.6; metrics and keys: --list): accuracies fail under the bound, attack success and AUC over it; exit code 2 when one fails",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var quiet = new Option<bool>("--quiet") { Description = "Print no progress and no table: only the report paths and failed gates" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on standard output (progress goes to standard error)" };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the library does (ILogger console logging, on standard error)" };
        var seed = new Option<long>("--seed") { Description = "Seed of the data split, training and attacks", DefaultValueFactory = _ => 0 };
        var samples = GlobalOptions.AtLeastOne("--samples", "Test samples attacked (default 500)");
        var trainSamples = GlobalOptions.AtLeastOne("--train-samples", "Training and attacker samples each, for image and tabular sets (default 2000)");
        var epochs = GlobalOptions.AtLeastOne("--epochs", "Training epochs of models the audit trains (default 60 on digits, 10 otherwise)");
        var trainData = new Option<string?>("--train-data") { Description = "The training data of a --model FILE, in --data's formats: the members membership inference tests (and the rows poisoning poisons)" };
        var label = new Option<string?>("--label") { Description = "The label column of a CSV file with a header (the other columns are features; text columns one-hot)" };
        var schema = new Option<string?>("--schema") { Description = "A JSON file refining the tabular data's schema: {\"immutable\": [...], \"integer\": [...], \"bounds\": {\"age\": [17, 90]}}" };
        var cluster = new Option<string?>("--cluster") { Description = "Comma-separated HOST:PORT gateways of silos (neuralshield silo) that train the shadow-model attack's shadows; needs --data adult:DIR (the rows the sample silos serve)" };
        var baseline = new Option<FileInfo?>("--baseline") { Description = "An earlier report.json: the report shows each run's change and the verdicts that changed" };
        var summaryMd = new Option<FileInfo?>("--summary-md") { Description = "Also write a markdown summary (verdicts, gates, changes) to FILE, e.g. $GITHUB_STEP_SUMMARY" };
        var junit = new Option<FileInfo?>("--junit") { Description = "Also write the gates as JUnit XML to FILE (one test case per gate)" };
        var list = new Option<bool>("--list") { Description = "Print the attack keys, their families and the gate metric names, and exit" };
        var command = new Command("audit", "Audit a model against every attack family; write report.json and report.html; check CI gates");
        var layout = new Option<NeuralShield.Onnx.InputLayout>("--layout") { Description = "How a model file takes a sample: Auto (read from an ONNX input shape), Nchw, Nhwc or Flat" };
        var inputScale = new Option<float>("--input-scale") { Description = "The factor a model file's inputs are the data's [0, 1] times: 1 (default), 255 (raw pixels), ...", DefaultValueFactory = _ => 1f };
        var mean = new Option<float[]>("--mean") { Description = "Per-channel means subtracted after --input-scale (torchvision Normalize), with --std", AllowMultipleArgumentsPerToken = true };
        var std = new Option<float[]>("--std") { Description = "Per-channel standard deviations divided by, with --mean", AllowMultipleArgumentsPerToken = true };
        var map = new Option<string[]>("--map") { Description = "Renames a state_dict's layer to the zoo architecture's, repeatable: --map fc3=logits", Arity = ArgumentArity.ZeroOrMore };
        foreach (var o in new Option[] { model, arch, data, attacks, output, failUnder, quiet, json, verbose, seed, samples, trainSamples, epochs, cluster, baseline, summaryMd, junit, list, trainData, label, schema, layout, inputScale, mean, std, map })
            command.Options.Add(o);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var settings = new AuditSettings(
                parse.GetValue(model), parse.GetValue(arch), parse.GetValue(data) ?? "digits", parse.GetValue(attacks),
                parse.GetValue(output)!, parse.GetValue(failUnder) ?? [], parse.GetValue(quiet), parse.GetValue(json), parse.GetValue(verbose),
                parse.GetValue(seed), parse.GetValue(samples) ?? 500, parse.GetValue(trainSamples) ?? 2000, parse.GetValue(epochs), parse.GetValue(cluster),
                parse.GetValue(baseline), parse.GetValue(summaryMd), parse.GetValue(junit), parse.GetValue(list), parse.GetValue(trainData), parse.GetValue(label), parse.GetValue(schema),
                parse.GetValue(layout), parse.GetValue(inputScale), parse.GetValue(mean), parse.GetValue(std), parse.GetValue(map));
            return AuditRun.Execute(settings, context, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }
}

/// <summary>The parsed options of <c>audit</c>.</summary>
internal sealed record AuditSettings(
    string? Model, string? Arch, string Data, string? Attacks, DirectoryInfo Out, IReadOnlyList<string> FailUnder, bool Quiet, bool Json, bool Verbose,
    long Seed, int Samples, int TrainSamples, int? Epochs, string? Cluster = null,
    FileInfo? Baseline = null, FileInfo? SummaryMd = null, FileInfo? JUnit = null, bool List = false, string? TrainData = null, string? Label = null, string? Schema = null,
    NeuralShield.Onnx.InputLayout Layout = default, float InputScale = 1, float[]? Mean = null, float[]? Std = null, string[]? Map = null);

/// <summary>Runs an audit from its settings: loads, runs the library's pipeline with progress, writes and prints, checks the gates.</summary>
internal static class AuditRun
{
    public static int Execute(AuditSettings s, CommandContext context, TextWriter error, CancellationToken ct)
    {
        if (s.List) { context.Out.WriteLine(CatalogListing.Format()); return 0; }
        // Everything the audit writes or reads besides its data is checked before any work.
        ReportFiles.CheckWritable("--out", s.Out.FullName, folder: true);
        foreach (var (option, file) in new[] { ("--summary-md", s.SummaryMd), ("--junit", s.JUnit) })
            if (file is not null) ReportFiles.CheckWritable(option, file.FullName, folder: false);
        var baseline = s.Baseline is null ? null : ReportFiles.Read("--baseline", s.Baseline.FullName);
        var status = s.Json ? error : context.Out;
        using var dataSet = AuditInputs.LoadData(s.Data, s.TrainSamples, s.Seed, s.Label, s.Schema);
        var epochs = s.Epochs ?? (s.Data == "digits" ? 60 : 10);
        var (kind, name) = ModelSpec(s, dataSet);
        var recipe = AuditInputs.Recipe(kind == "file" ? s.Arch ?? (dataSet.Tabular ? "tabular-mlp" : "mlp") : name, dataSet, epochs, s.Seed, context.Device);
        if (s.TrainData is not null && kind == "zoo") throw new CliUserException("--train-data gives the training data of a --model FILE; a zoo model is trained here on its own split.");
        var gateways = s.Cluster is null ? null : ClusterCommands.ParseGateways(s.Cluster);
        if (gateways is not null && dataSet.AttackerSource is null)
            throw new CliUserException($"--cluster trains the shadow models on silos that serve UCI Adult's training rows (neuralshield silo); use --data adult:DIR, not '{s.Data}'.");
        using var service = gateways is null ? null : ClusterCommands.Connect(gateways, ct);
        var catalog = new AuditCatalogOptions
        {
            SampleShape = dataSet.Test.SampleShape,
            ShadowRecipe = recipe,
            Seed = s.Seed,
            TrainingService = service,
            // Named whenever the data set has a name the silos know (Adult), on a cluster or not, so that the shadows' pool —
            // and so the report — is the same wherever they train.
            AttackerDataSource = dataSet.AttackerSource,
            Schema = dataSet.Schema,
        };
        IReadOnlyList<AuditEntry> entries;
        try
        {
            entries = AttackCatalog.Select(AttackCatalog.Full(catalog), s.Attacks);
        }
        catch (ArgumentException e)
        {
            throw new CliUserException("--attacks: " + CommandRunner.OneLine(e.Message), e);
        }
        var keys = entries.Select(e => e.Key).ToArray();
        var gates = s.FailUnder.Select(text =>
        {
            try { return AuditGate.Parse(text, keys); }
            catch (FormatException e) { throw new CliUserException("--fail-under " + CommandRunner.OneLine(e.Message), e); }
        }).ToArray();
        using var loggerFactory = s.Verbose
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter(l => l >= LogLevel.Information)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            : null;
        var options = new AuditOptions
        {
            Seed = s.Seed,
            Entries = entries,
            TestSamples = s.Samples,
            Dataset = dataSet.Name,
            Schema = dataSet.Schema,
            Logger = loggerFactory?.CreateLogger("NeuralShield.Audit"),
        };
        var report = AuditProgressDisplay.Run(options, s.Quiet, status, context.Out == Console.Out && !s.Json, o =>
        {
            var auditor = new Auditor(o);
            if (kind == "zoo") return auditor.TrainAndRun(name, recipe, dataSet.Train, dataSet.Attacker, dataSet.Test, ct);
            var loaded = AuditInputs.LoadModel(s.Model!, s.Arch, recipe, dataSet, s, status);
            using var members = s.TrainData is null ? null : AuditInputs.LoadTrainingData(s.TrainData, dataSet);
            try
            {
                return auditor.Run([new AuditTarget(Path.GetFileName(s.Model!), loaded) { TrainingData = members }], dataSet.Attacker, dataSet.Test, ct);
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        });
        var results = gates.Select(g => g.Check(report)).ToArray();
        Directory.CreateDirectory(s.Out.FullName);
        var jsonPath = Path.Combine(s.Out.FullName, "report.json");
        var htmlPath = Path.Combine(s.Out.FullName, "report.html");
        var jsonText = report.ToJson();
        File.WriteAllText(jsonPath, jsonText);
        var comparison = baseline is null ? null : ReportComparison.Of(baseline, report);
        HtmlReport.Write(report, htmlPath, results, comparison);
        if (s.SummaryMd is not null) File.WriteAllText(s.SummaryMd.FullName, MarkdownSummary.Render(report, results, comparison));
        if (s.JUnit is not null) File.WriteAllText(s.JUnit.FullName, JUnitGates.Render(results));
        if (s.Json) context.Out.WriteLine(jsonText);
        else if (!s.Quiet) context.Out.WriteLine(ReportTable.Format(report));
        var whiteBoxSkipped = report.Results.Where(r => r.Skipped is not null && r.Attack.Access == NeuralShield.ModelAccess.WhiteBox).Select(r => r.Key).ToArray();
        if (whiteBoxSkipped.Length > 0)
            status.WriteLine($"skipped, white-box access needed (the model is a black box): {string.Join(", ", whiteBoxSkipped)}");
        if (s.TrainData is null && report.Results.Any(r => r.Skipped?.Contains("training data", StringComparison.Ordinal) == true))
            status.WriteLine("skipped, the target's training data needed: give them with --train-data FILE");
        status.WriteLine($"report: {jsonPath}");
        status.WriteLine($"report: {htmlPath}");
        // Each gate once: a pass on the status stream, a miss on standard error.
        foreach (var r in results) (r.Passed ? status : error).WriteLine(r.Passed ? $"gate PASS: {r.Detail}" : $"neuralshield: gate missed: {r.Detail}");
        return results.All(r => r.Passed) ? 0 : AuditCommand.GateMissed;
    }

    /// <summary>("zoo", architecture) for a zoo model the audit trains, ("file", path) for a user's model.</summary>
    private static (string Kind, string Name) ModelSpec(AuditSettings s, AuditDataSet data)
    {
        if (s.Model is null) return ("zoo", s.Arch ?? (data.Tabular ? "tabular-mlp" : "mlp"));
        if (s.Model.StartsWith("zoo:", StringComparison.OrdinalIgnoreCase))
        {
            var arch = s.Model[4..];
            if (!ModelZoo.Names.Contains(arch.ToLowerInvariant()))
                throw new CliUserException($"--model {s.Model}: unknown zoo architecture (use {string.Join(", ", ModelZoo.Names.Select(n => "zoo:" + n))}).");
            return ("zoo", arch.ToLowerInvariant());
        }
        if (!File.Exists(s.Model)) throw new CliUserException($"--model {s.Model}: no such file (use zoo:NAME, a .onnx file, or a PyTorch state_dict or TorchSharp-saved weights with --arch).");
        return ("file", s.Model);
    }
}
