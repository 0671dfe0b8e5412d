using System.CommandLine;
using System.Text.Json;
using NeuralShield.Reports;

namespace NeuralShield.Cli.Audit;

/// <summary><c>neuralshield compare BASELINE.json REPORT.json</c>: the change of every run and verdict between two audits, as HTML and markdown.</summary>
internal static class CompareCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var before = new Argument<FileInfo>("baseline") { Description = "The earlier report.json (e.g. the model before a defense)" };
        var after = new Argument<FileInfo>("report") { Description = "The later report.json" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for compare.html and compare.md", DefaultValueFactory = _ => new DirectoryInfo("audit-compare") };
        var command = new Command("compare", "Compare two audit reports: per-run changes and verdict changes, written as compare.html and compare.md");
        command.Arguments.Add(before);
        command.Arguments.Add(after);
        command.Options.Add(output);
        CommandRunner.SetAction(command, globals, (parse, context, _) =>
        {
            var folder = parse.GetValue(output)!.FullName;
            ReportFiles.CheckWritable("--out", folder, folder: true);
            var comparison = ReportComparison.Of(ReportFiles.Read("baseline", parse.GetValue(before)!.FullName), ReportFiles.Read("report", parse.GetValue(after)!.FullName));
            var markdown = MarkdownSummary.RenderComparison(comparison);
            File.WriteAllText(Path.Combine(folder, "compare.html"), HtmlReport.RenderComparison(comparison));
            File.WriteAllText(Path.Combine(folder, "compare.md"), markdown);
            context.Out.WriteLine(markdown);
            context.Out.WriteLine($"comparison: {Path.Combine(folder, "compare.html")}");
            return 0;
        });
        return command;
    }
}
