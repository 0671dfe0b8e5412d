using Microsoft.Extensions.Logging;

namespace NeuralShield;

/// <summary>
/// How a run is carried out, as opposed to what the attack computes: how many samples go to the model at once,
/// where progress and log messages go. Every family's verb takes one (evasion and fooling runs, inference and
/// property-inference fits, extraction, poisoning, shadow training), beside a cancellation token. The result does not
/// depend on it for attacks without cross-sample state, up to the last bit of float32 arithmetic (a batched matrix
/// product may round differently for another batch size).
/// </summary>
public sealed class RunOptions : OptionsBase<RunOptions>
{
    /// <summary>The default: all samples in one batch, no progress, no logging.</summary>
    public static RunOptions Default { get; } = new();

    /// <summary>Samples attacked at once (bounds memory); null: all of them in one batch.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Receives a report after each batch.</summary>
    public IProgress<RunProgress>? Progress { get; set; }

    /// <summary>
    /// Receives one information message per run and debug messages per batch; the verbs that train (shadow models,
    /// meta-classifiers, substitutes) tell it each stage as an information message.
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>Run options whose information messages go to <paramref name="messages"/> (the library's own callers' progress lines); null stays null.</summary>
    internal static RunOptions? Reporting(IProgress<string>? messages) => messages is null ? null : new RunOptions { Logger = new MessageLogger(messages) };

    /// <summary>The information messages of <see cref="Logger"/> as progress lines, for the stages of a verb; null without a logger.</summary>
    internal IProgress<string>? Messages => Logger switch
    {
        null => null,
        MessageLogger m => m.Messages,
        var logger => new LogProgress(logger),
    };

    private sealed class LogProgress(ILogger logger) : IProgress<string>
    {
        public void Report(string value) => logger.LogInformation("{Message}", value);
    }

    /// <summary>An <see cref="ILogger"/> that hands information messages and above to progress lines.</summary>
    private sealed class MessageLogger(IProgress<string> messages) : ILogger
    {
        public IProgress<string> Messages => messages;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) messages.Report(formatter(state, exception));
        }
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (BatchSize is { } b) Guard.Positive(b, nameof(BatchSize));
    }
}
