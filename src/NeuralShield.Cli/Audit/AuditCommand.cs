using System.CommandLine;
using NeuralShield.Audit;
using NeuralShield.Reports;

namespace NeuralShield.Cli.Audit;

/// <summary>
/// <c>neuralshield audit</c>: trains zoo models on the embedded scikit-learn digits set and runs every attack of the
/// library's audit catalog against them, printing a summary table. The pipeline is the library's (<see cref="Auditor"/>).
/// </summary>
internal static class AuditCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the data split, training and attacks", DefaultValueFactory = _ => 0 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file" };
        var command = new Command("audit", "Train zoo models on the embedded digits set and run the library's attacks against them");
        command.Options.Add(seed);
        command.Options.Add(json);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var auditor = new Auditor(new AuditOptions { Seed = parse.GetValue(seed), Progress = new SynchronousProgress(context.Out) });
            var report = auditor.RunZooOnDigits(context.Device, ct);
            context.Out.WriteLine(ReportTable.Format(report));
            if (parse.GetValue(json) is { } file) File.WriteAllText(file.FullName, report.ToJson());
            return 0;
        });
        return command;
    }

    /// <summary>Writes each report at once, on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
