namespace NeuralShield.Runtime;

/// <summary>
/// libtorch's CPU thread pools for the whole process: what the command line's <c>--threads</c> sets. libtorch starts
/// with one intra-op thread per core, which on a machine shared with other work oversubscribes the cores (a training
/// run on a loaded 2-core machine took ten times longer than with one thread); call <see cref="Set"/> once at start-up.
/// </summary>
public static class TorchThreads
{
    private static readonly Lock Gate = new();
    private static bool _interopSet;

    /// <summary>libtorch's intra-op threads (those one operation is split over).</summary>
    public static int IntraOp => torch.get_num_threads();

    /// <summary>libtorch's inter-op threads (those independent operations run on).</summary>
    public static int InterOp => torch.get_num_interop_threads();

    /// <summary>
    /// Sets the intra-op threads to <paramref name="intraOp"/> (any time; it applies to the calling thread's later work and
    /// to training services that carry it to their workers) and, the first time it is called in a process, the inter-op
    /// threads to <paramref name="interOp"/>: libtorch fixes the inter-op pool once parallel work has started, after which
    /// the request is ignored (<see cref="InterOp"/> says what holds).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count below 1.</exception>
    public static void Set(int intraOp, int interOp = 1)
    {
        Guard.Positive(intraOp, nameof(intraOp));
        Guard.Positive(interOp, nameof(interOp));
        NativeRuntime.Initialize();
        torch.set_num_threads(intraOp);
        lock (Gate)
        {
            if (_interopSet) return;
            _interopSet = true;
            if (torch.get_num_interop_threads() == interOp) return;
            try
            {
                torch.set_num_interop_threads(interOp);
            }
            catch (System.Runtime.InteropServices.ExternalException)
            {
                // libtorch fixes the inter-op pool once parallel work has started in this process; keep it.
            }
        }
    }
}
