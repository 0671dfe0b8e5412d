using NeuralShield.Audit;
using NeuralShield.Reports;
using Spectre.Console;

namespace NeuralShield.Cli.Audit;

/// <summary>
/// Shows an audit's progress: Spectre.Console progress bars (one per family, with the running entry and the time
/// left) on an interactive terminal, one plain line per finished entry when the output is redirected, nothing with
/// <c>--quiet</c>.
/// </summary>
internal static class AuditProgressDisplay
{
    public static AuditReport Run(AuditOptions options, bool quiet, TextWriter status, bool mayUseTerminal, Func<AuditOptions, AuditReport> audit)
    {
        if (quiet) return audit(options);
        var entries = options.Entries ?? [];
        if (mayUseTerminal && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            AuditReport? report = null;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var tasks = entries.GroupBy(e => e.Family).ToDictionary(g => g.Key, g => ctx.AddTask(Label(g.Key), maxValue: g.Count()));
                    options.Steps = new Callback<AuditStep>(step =>
                    {
                        if (!tasks.TryGetValue(step.Family, out var task)) return;
                        if (step.Record is null) task.Description = $"{Label(step.Family)} [grey]{Markup.Escape(step.Key)}[/]";
                        else task.Increment(1);
                    });
                    report = audit(options);
                });
            return report!;
        }
        options.Progress = new Callback<string>(status.WriteLine);
        var done = 0;
        options.Steps = new Callback<AuditStep>(step =>
        {
            if (step.Record is not { } r) return;
            done++;
            var text = r.Skipped is null ? ReportTable.Describe(r) : "skipped: " + r.Skipped;
            status.WriteLine($"[{done}/{step.Total}] {step.Family.ToString().ToLowerInvariant()} {step.Key}: {text}");
        });
        return audit(options);
    }

    private static string Label(AuditFamily family) => family.ToString().ToLowerInvariant();

    /// <summary>Handles each report at once, on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Callback<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
