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
        var model = new Option<string?>("--model") { Description = "zoo:NAME (trained here), FILE.onnx or a TorchScript file (white box), or weights with --arch: a PyTorch state_dict or a TorchSharp-saved module (Module.save). Default: zoo:mlp (zoo:tabular-mlp on tabular data)" };
        var arch = new Option<string?>("--arch") { Description = $"The zoo architecture of a weights file: {string.Join(", ", ModelZoo.Names)}" };
        var data = new Option<string>("--data") { Description = "digits (embedded), mnist:DIR, fashion-mnist[:DIR], adult:DIR, or a CSV file (features..., label)", DefaultValueFactory = _ => "digits" };
        var attacks = new Option<string?>("--attacks") { Description = "Comma-separated families (evasion, fooling, membership, transfer, poisoning), entry keys (pgd-linf-0.1) or prefixes (pgd-*). Default: all" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for report.json and report.html", DefaultValueFactory = _ => new DirectoryInfo("audit-report") };
        var failUnder = new Option<string[]>("--fail-under")
        {
            Description = "A gate METRIC=BOUND, repeatable (e.g. robust_accuracy@pgd-linf-0.1=0.5, membership_auc=0.6): accuracies fail under the bound, attack success and AUC over it; exit code 2 when one fails",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var quiet = new Option<bool>("--quiet") { Description = "Print no progress and no table: only the report paths and failed gates" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on standard output (progress goes to standard error)" };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the library does (ILogger console logging, on standard error)" };
        var seed = new Option<long>("--seed") { Description = "Seed of the data split, training and attacks", DefaultValueFactory = _ => 0 };
        var samples = GlobalOptions.AtLeastOne("--samples", "Test samples attacked (default 500)");
        var trainSamples = GlobalOptions.AtLeastOne("--train-samples", "Training and attacker samples each, for image and tabular sets (default 2000)");
        var epochs = GlobalOptions.AtLeastOne("--epochs", "Training epochs of models the audit trains (default 60 on digits, 10 otherwise)");
        var cluster = new Option<string?>("--cluster") { Description = "Comma-separated HOST:PORT gateways of silos (neuralshield silo) that train the shadow-model attack's shadows; needs --data adult:DIR (the rows the sample silos serve)" };
        var command = new Command("audit", "Audit a model against every attack family; write report.json and report.html; check CI gates");
        var layout = new Option<NeuralShield.Onnx.InputLayout>("--layout") { Description = "How a model file takes a sample: Auto (read from an ONNX input shape), Nchw, Nhwc or Flat" };
        var inputScale = new Option<float>("--input-scale") { Description = "The factor a model file's inputs are the data's [0, 1] times: 1 (default), 255 (raw pixels), ...", DefaultValueFactory = _ => 1f };
        var mean = new Option<float[]>("--mean") { Description = "Per-channel means subtracted after --input-scale (torchvision Normalize), with --std", AllowMultipleArgumentsPerToken = true };
        var std = new Option<float[]>("--std") { Description = "Per-channel standard deviations divided by, with --mean", AllowMultipleArgumentsPerToken = true };
        var map = new Option<string[]>("--map") { Description = "Renames a state_dict's layer to the zoo architecture's, repeatable: --map fc3=logits", Arity = ArgumentArity.ZeroOrMore };
        foreach (var o in new Option[] { model, arch, data, attacks, output, failUnder, quiet, json, verbose, seed, samples, trainSamples, epochs, cluster, layout, inputScale, mean, std, map }) command.Options.Add(o);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var settings = new AuditSettings(
                parse.GetValue(model), parse.GetValue(arch), parse.GetValue(data) ?? "digits", parse.GetValue(attacks),
                parse.GetValue(output)!, parse.GetValue(failUnder) ?? [], parse.GetValue(quiet), parse.GetValue(json), parse.GetValue(verbose),
                parse.GetValue(seed), parse.GetValue(samples) ?? 500, parse.GetValue(trainSamples) ?? 2000, parse.GetValue(epochs), parse.GetValue(cluster), parse.GetValue(layout), parse.GetValue(inputScale), parse.GetValue(mean), parse.GetValue(std), parse.GetValue(map));
            return AuditRun.Execute(settings, context, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }
}

/// <summary>The parsed options of <c>audit</c>.</summary>
internal sealed record AuditSettings(
    string? Model, string? Arch, string Data, string? Attacks, DirectoryInfo Out, IReadOnlyList<string> FailUnder, bool Quiet, bool Json, bool Verbose,
    long Seed, int Samples, int TrainSamples, int? Epochs, string? Cluster = null, NeuralShield.Onnx.InputLayout Layout = default, float InputScale = 1, float[]? Mean = null, float[]? Std = null, string[]? Map = null);

/// <summary>Runs an audit from its settings: loads, runs the library's pipeline with progress, writes and prints, checks the gates.</summary>
internal static class AuditRun
{
    public static int Execute(AuditSettings s, CommandContext context, TextWriter error, CancellationToken ct)
    {
        var gates = s.FailUnder.Select(text =>
        {
            try { return AuditGate.Parse(text); }
            catch (FormatException e) { throw new CliUserException("--fail-under " + e.Message, e); }
        }).ToArray();
        var status = s.Json ? error : context.Out;
        using var dataSet = AuditInputs.LoadData(s.Data, s.TrainSamples, s.Seed);
        var epochs = s.Epochs ?? (s.Data == "digits" ? 60 : 10);
        var (kind, name) = ModelSpec(s, dataSet);
        var recipe = AuditInputs.Recipe(kind == "file" ? s.Arch ?? (dataSet.Tabular ? "tabular-mlp" : "mlp") : name, dataSet, epochs, s.Seed, context.Device);
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
            Logger = loggerFactory?.CreateLogger("NeuralShield.Audit"),
        };
        var report = AuditProgressDisplay.Run(options, s.Quiet, status, context.Out == Console.Out && !s.Json, o =>
        {
            var auditor = new Auditor(o);
            if (kind == "zoo") return auditor.TrainAndRun(name, recipe, dataSet.Train, dataSet.Attacker, dataSet.Test, ct);
            var loaded = AuditInputs.LoadModel(s.Model!, s.Arch, recipe, dataSet, s, status);
            try
            {
                return auditor.Run([new AuditTarget(Path.GetFileName(s.Model!), loaded)], dataSet.Attacker, dataSet.Test, ct);
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
        HtmlReport.Write(report, htmlPath, results);
        if (s.Json) context.Out.WriteLine(jsonText);
        else if (!s.Quiet) context.Out.WriteLine(ReportTable.Format(report));
        var whiteBoxSkipped = report.Results.Where(r => r.Skipped is not null && r.Attack.Access == NeuralShield.Attacks.ModelAccess.WhiteBox).Select(r => r.Key).ToArray();
        if (whiteBoxSkipped.Length > 0)
            status.WriteLine($"skipped, white-box access needed (the model is a black box): {string.Join(", ", whiteBoxSkipped)}");
        status.WriteLine($"report: {jsonPath}");
        status.WriteLine($"report: {htmlPath}");
        foreach (var r in results) status.WriteLine($"gate {(r.Passed ? "PASS" : "FAIL")}: {r.Detail}");
        var missed = results.Where(r => !r.Passed).ToArray();
        if (missed.Length == 0) return 0;
        error.WriteLine("neuralshield: gates missed: " + string.Join("; ", missed.Select(m => m.Detail)));
        return AuditCommand.GateMissed;
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
