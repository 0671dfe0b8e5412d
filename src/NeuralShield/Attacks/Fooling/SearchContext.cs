namespace NeuralShield.Attacks.Fooling;

/// <summary>What a fooling search sees of its run: cancellation and progress, one call per step or generation.</summary>
public sealed class SearchContext
{
    private readonly IProgress<RunProgress>? _progress;
    private readonly Stopwatch _watch;

    internal SearchContext(CancellationToken cancellationToken, IProgress<RunProgress>? progress, Stopwatch watch)
    {
        CancellationToken = cancellationToken;
        _progress = progress;
        _watch = watch;
    }

    /// <summary>The run's cancellation token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Throws when the run is cancelled; otherwise reports that <paramref name="done"/> of at most <paramref name="total"/> iterations ran.</summary>
    public void Iteration(int done, int total)
    {
        CancellationToken.ThrowIfCancellationRequested();
        _progress?.Report(new RunProgress(done, total, _watch.Elapsed));
    }
}
