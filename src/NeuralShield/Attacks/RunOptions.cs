using Microsoft.Extensions.Logging;

namespace NeuralShield.Attacks;

/// <summary>
/// How a run is carried out, as opposed to what the attack computes: how many samples go to the model at once,
/// where progress and log messages go. The result does not depend on it for attacks without cross-sample state, up to
/// the last bit of float32 arithmetic (a batched matrix product may round differently for another batch size).
/// </summary>
public sealed class RunOptions : OptionsBase<RunOptions>
{
    /// <summary>The default: all samples in one batch, no progress, no logging.</summary>
    public static RunOptions Default { get; } = new();

    /// <summary>Samples attacked at once (bounds memory); null: all of them in one batch.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Receives a report after each batch.</summary>
    public IProgress<RunProgress>? Progress { get; set; }

    /// <summary>Receives one information message per run and debug messages per batch.</summary>
    public ILogger? Logger { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (BatchSize is { } b) Guard.Positive(b, nameof(BatchSize));
    }
}
