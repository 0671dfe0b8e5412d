using NeuralShield.Attacks.Core;
using NeuralShield.Metrics;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The L2 geometry of the Square attack (Andriushchenko et al., ECCV 2020, Algorithm 3 and its appendix): the window
/// profile of two rectangles of opposite sign, each a sum of concentric rings weighted 1/(k+1)² and of unit L2 norm; the
/// update that moves the perturbation's mass of a second window into the first while keeping ‖δ‖₂; and the initial grid
/// of such windows.
/// </summary>
internal static class SquareL2
{
    /// <summary>
    /// The s×s profile (row-major): the upper ⌊s/2⌋ rows one ring-weighted rectangle, the lower rows minus another, each of
    /// unit L2 norm, the whole again of unit norm.
    /// </summary>
    public static double[] Profile(int side)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        var profile = new double[side * side];
        var upper = Rectangle(side / 2, side);
        var lower = Rectangle(side - side / 2, side);
        Array.Copy(upper, profile, upper.Length);
        for (var i = 0; i < lower.Length; i++) profile[upper.Length + i] = -lower[i];
        Normalise(profile);
        return profile;
    }

    /// <summary>
    /// A rows×cols rectangle of rings around its centre (⌊rows/2⌋, ⌊cols/2⌋): ring k (k = 0, 1, …; the square of side
    /// 2k + 1 about the centre, cut to the rectangle) adds 1/(k+1)² to every cell it covers; unit L2 norm.
    /// </summary>
    internal static double[] Rectangle(int rows, int cols)
    {
        var cells = new double[rows * cols];
        if (cells.Length == 0) return cells;
        var (centreRow, centreCol) = (rows / 2, cols / 2);
        for (var k = 0; k < Math.Max(centreRow, centreCol) + 1; k++)
            for (var r = Math.Max(centreRow - k, 0); r < Math.Min(centreRow - k + 2 * k + 1, rows); r++)
                for (var c = Math.Max(centreCol - k, 0); c < Math.Min(centreCol - k + 2 * k + 1, cols); c++)
                    cells[r * cols + c] += 1.0 / ((k + 1) * (k + 1));
        Normalise(cells);
        return cells;
    }

    /// <summary>
    /// One proposal of Algorithm 3 on perturbations <paramref name="delta"/> [M, C, H, W]: window 1 (mask
    /// <paramref name="window1"/>, [M or 1, 1, H, W]) receives <paramref name="bump"/> (the signed profile, zero outside
    /// window 1) plus its current content scaled to unit norm per channel, rescaled per channel so that its norm is
    /// √(max(ε² − ‖δ‖₂², 0)/C + ‖δ restricted to window 1 ∪ window 2‖²); window 2 is emptied. The result still has to be
    /// scaled to ‖·‖₂ = ε (it has that norm already when the windows do not overlap and ‖δ‖₂ = ε).
    /// </summary>
    public static Tensor Step(Tensor delta, Tensor window1, Tensor window2, Tensor bump, double epsilon)
    {
        var channels = delta.shape[1];
        var inWindow1 = delta * window1;
        var norm1 = inWindow1.square().sum([2, 3], keepdim: true).sqrt();
        var imageSquared = delta.square().sum([1, 2, 3], keepdim: true);
        var both = delta * maximum(window1, window2);
        var bothSquared = both.square().sum([2, 3], keepdim: true);
        var fresh = bump + inWindow1 / (norm1 + 1e-12);
        var freshNorm = fresh.square().sum([2, 3], keepdim: true).sqrt();
        var target = ((epsilon * epsilon - imageSquared).clamp_min(0) / channels + bothSquared).sqrt();
        fresh = fresh / (freshNorm + 1e-12) * target;
        return delta * (1 - window2) * (1 - window1) + fresh * window1;
    }

    /// <summary>
    /// The initial perturbations [N, C, H, W] of L2 norm ε before clipping: a grid of windows of side ⌊H/5⌋ (at least 1)
    /// from ⌊(H − 5s)/2⌋ on, every window that fits, each the profile (transposed with probability ½) times a random sign
    /// per sample and channel.
    /// </summary>
    public static Tensor Initial(long n, long c, long h, long w, double epsilon, Func<long[], Tensor> uniform, Func<long[], Tensor> signs, Device device)
    {
        var side = Math.Max(h / 5, 1);
        var start = (h - 5 * side) / 2;
        var profile = tensor(Profile((int)side), dtype: ScalarType.Float32, device: device).view(side, side);
        var delta = zeros([n, c, h, w], device: device);
        for (var top = start; top + side <= h && top < start + h / side * side; top += side)
            for (var left = start; left + side <= w && left < start + w / side * side; left += side)
            {
                using var scope = NewDisposeScope();
                var oriented = where(uniform([1]).gt(0.5), profile.t(), profile);
                delta.narrow(2, top, side).narrow(3, left, side).add_(oriented.view(1, 1, side, side) * signs([n, c, 1, 1]));
            }
        return PerSample.L2Normalise(delta) * epsilon;
    }

    /// <summary>
    /// The profile of side <paramref name="side"/> placed at (<paramref name="top"/>, <paramref name="left"/>) [K] in
    /// images of H×W, transposed where <paramref name="transpose"/> [K]: [K, 1, H, W], zero outside the window.
    /// </summary>
    public static Tensor Placed(Tensor profile, long side, Tensor top, Tensor left, Tensor transpose, long h, long w)
    {
        var k = top.shape[0];
        var rows = arange(h, device: top.device).view(1, h, 1);
        var cols = arange(w, device: top.device).view(1, 1, w);
        var rowOffset = rows - top.view(k, 1, 1);
        var colOffset = cols - left.view(k, 1, 1);
        var inside = rowOffset.ge(0).logical_and(rowOffset.lt(side)).logical_and(colOffset.ge(0)).logical_and(colOffset.lt(side));
        var dr = rowOffset.clamp(0, side - 1);
        var dc = colOffset.clamp(0, side - 1);
        var index = where(transpose.view(k, 1, 1), dc * side + dr, dr * side + dc);
        return (profile.index_select(0, index.flatten()).view(k, h, w) * inside.to_type(profile.dtype)).unsqueeze(1);
    }

    private static void Normalise(double[] values)
    {
        var norm = Math.Sqrt(values.Sum(v => v * v));
        if (norm == 0) return;
        for (var i = 0; i < values.Length; i++) values[i] /= norm;
    }
}
