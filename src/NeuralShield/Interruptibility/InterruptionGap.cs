namespace NeuralShield.Interruptibility;

/// <summary>
/// The values learned with interruptions against those learned without, on the same seed (the same exploration draws):
/// dynamic safe interruptibility asks the gap to vanish.
/// </summary>
/// <param name="Interrupted">The run with interruptions.</param>
/// <param name="Uninterrupted">The run without.</param>
public sealed record InterruptionGap(DynamicInterruptibilityRun Interrupted, DynamicInterruptibilityRun Uninterrupted)
{
    /// <summary>Signed gaps, entry by entry (interrupted − uninterrupted), in the order of <see cref="DynamicInterruptibilityRun.Values"/>.</summary>
    public IReadOnlyList<double> Gaps => Interrupted.Values.Zip(Uninterrupted.Values, (a, b) => a - b).ToArray();

    /// <summary>The largest absolute gap.</summary>
    public double MaxAbsoluteGap => Gaps.Max(Math.Abs);

    /// <summary>The largest absolute gap at each snapshot.</summary>
    public IReadOnlyList<double> MaxAbsoluteGapBySnapshot =>
        Interrupted.Snapshots.Zip(Uninterrupted.Snapshots, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).ToArray();
}
