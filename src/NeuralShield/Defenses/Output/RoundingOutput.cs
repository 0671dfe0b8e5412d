using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>
/// Reveals the probabilities rounded to <see cref="Digits"/> decimal digits (Shokri et al., S&amp;P 2017, Section VI:
/// "coarsen the precision of the prediction vector"), as a distribution that keeps the predicted class:
/// <list type="number">
/// <item>each probability becomes a whole number of units u = 10^−d by largest-remainder rounding: every value is
/// floored to a multiple of u and the units still missing to make the row sum to 1 go, one each, to the classes with
/// the largest remainders (ties to the original argmax first, then to the lower index). Each revealed value is within
/// one unit of the exact probability — plain rounding can be off by half a unit but does not sum to 1;</item>
/// <item>no class can end above the original argmax, but one can tie with it; then the tied class of lowest index
/// gives one unit to the argmax, which makes the predicted class the unique maximum (two values move by one unit).</item>
/// </list>
/// Zero digits reveal a one-hot vector.
/// </summary>
/// <param name="digits">The decimal digits revealed, 0 to 6 (float32 holds about 7).</param>
public sealed class RoundingOutput(int digits) : IOutputDefense
{
    /// <summary>The number of decimal digits revealed.</summary>
    public int Digits { get; } = digits is >= 0 and <= 6 ? digits : throw new ArgumentOutOfRangeException(nameof(digits), digits, "digits must lie in [0, 6].");

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new($"Rounding to {Digits} digit{(Digits == 1 ? "" : "s")}", DefenseKind.Output, Papers.Shokri2017, [AttackFamily.Inference]);

    /// <inheritdoc />
    public Tensor Transform(Tensor probabilities)
    {
        var scale = (long)Math.Pow(10, Digits);
        return ProbabilityRows.Map(probabilities, (p, argmax, output) => Round(p, argmax, scale, output));
    }

    private static void Round(ReadOnlySpan<double> p, int argmax, long scale, Span<double> output)
    {
        var c = p.Length;
        double total = 0;
        foreach (var v in p) total += Math.Max(v, 0);
        var units = new long[c];
        var remainders = new double[c];
        long used = 0;
        for (var j = 0; j < c; j++)
        {
            // Normalise first so that a row summing to 1 ± float error rounds as if it summed to 1.
            var scaled = total > 0 ? Math.Max(p[j], 0) / total * scale : 0;
            units[j] = (long)Math.Floor(scaled);
            remainders[j] = scaled - units[j];
            used += units[j];
        }
        var missing = Math.Clamp(scale - used, 0, c);
        var order = Enumerable.Range(0, c)
            .OrderByDescending(j => remainders[j]).ThenBy(j => j == argmax ? 0 : 1).ThenBy(j => j)
            .Take((int)missing);
        foreach (var j in order) units[j]++;
        for (var j = 0; j < c; j++)
        {
            if (j != argmax && units[j] >= units[argmax] && units[j] > 0)
            {
                units[j]--;
                units[argmax]++;
                break;
            }
        }
        for (var j = 0; j < c; j++) output[j] = (double)units[j] / scale;
    }
}
