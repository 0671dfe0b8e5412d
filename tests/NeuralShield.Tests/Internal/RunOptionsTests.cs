using Microsoft.Extensions.Logging;
using NeuralShield.Attacks.Inference;
using NeuralShield.Tests.Attacks.Inference;

namespace NeuralShield.Tests.Internal;

/// <summary>
/// One <see cref="RunOptions"/> for every family's verb: the stages a verb reports go to the options' logger as
/// information messages, and the library's own progress lines reach a caller through the same options.
/// </summary>
public class RunOptionsTests
{
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }

    private sealed class Lines : IProgress<string>
    {
        public List<string> Seen { get; } = [];

        public void Report(string value) => Seen.Add(value);
    }

    [Fact]
    public void ShadowTrainingTellsTheLoggerOfEachShadow()
    {
        using var pool = Memorisation.Data(80, 2);
        var recipe = Memorisation.Recipe(2);
        recipe.Training.Epochs = 1;
        var logger = new ListLogger();
        using var shadows = ShadowModelSet.Train(pool, new ShadowTrainingOptions { Recipe = recipe, Count = 3, TrainSize = 10 }, new RunOptions { Logger = logger });
        Assert.Equal(3, logger.Lines.Count);
        Assert.All(logger.Lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.Equal(["shadow 1/3", "shadow 2/3", "shadow 3/3"], logger.Lines.Select(l => l.Message.Split(':')[0]));
        Assert.All(logger.Lines, l => Assert.Contains("trained on 10 records", l.Message));
    }

    [Fact]
    public void ProgressLinesGoThroughTheOptionsUnchanged()
    {
        Assert.Null(RunOptions.Reporting(null));
        Assert.Null(new RunOptions().Messages);
        var lines = new Lines();
        var options = RunOptions.Reporting(lines)!;
        // The same progress object comes back (no wrapping), and messages logged at information level or above reach it.
        Assert.Same(lines, options.Messages);
        options.Logger!.LogDebug("not shown");
        options.Logger!.LogInformation("shown {Value}", 3);
        options.Logger!.LogWarning("also shown");
        Assert.Equal(["shown 3", "also shown"], lines.Seen);
        // A caller's own logger receives the verb's stages as information messages.
        var logger = new ListLogger();
        new RunOptions { Logger = logger }.Messages!.Report("stage");
        Assert.Equal([(LogLevel.Information, "stage")], logger.Lines);
    }
}
