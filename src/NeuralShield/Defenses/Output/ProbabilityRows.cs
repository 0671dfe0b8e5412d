namespace NeuralShield.Defenses.Output;

/// <summary>
/// Row-by-row transforms of probability matrices [N, C] for the output defenses: each row is computed in float64 by a
/// row function, written back in the input's precision, and then the original argmax (the first maximal class, as
/// <c>argmax</c> reports it) is made the first maximal class of the output again if the conversion tied it with or
/// put it below another class.
/// </summary>
internal static class ProbabilityRows
{
    /// <summary>Computes output row <c>out</c> from input row <c>p</c> and its argmax; both spans have C elements.</summary>
    public delegate void RowFunction(ReadOnlySpan<double> p, int argmax, Span<double> output);

    /// <summary>
    /// Applies <paramref name="row"/> to every row of <paramref name="probabilities"/> [N, C]. A row holding NaN or ±∞
    /// becomes all NaN (the library reports no prediction for it). The result has the input's dtype (float32 for
    /// float16 and bfloat16 inputs) and device.
    /// </summary>
    public static Tensor Map(Tensor probabilities, RowFunction row, string name = "probabilities")
    {
        ArgumentNullException.ThrowIfNull(probabilities, name);
        if (probabilities.dim() != 2)
            throw new ArgumentException($"{name} must be a matrix [N, C]; got shape [{string.Join(", ", probabilities.shape)}].", name);
        if (!(probabilities.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"{name} must be a floating-point tensor; got {probabilities.dtype}.", name);
        var n = (int)probabilities.shape[0];
        var c = (int)probabilities.shape[1];
        var isDouble = probabilities.dtype == ScalarType.Float64;
        double[] values;
        using (var cpu = probabilities.detach().to_type(ScalarType.Float64).cpu()) values = cpu.data<double>().ToArray();
        var result = new double[values.Length];
        for (var i = 0; i < n; i++)
        {
            var p = values.AsSpan(i * c, c);
            var output = result.AsSpan(i * c, c);
            var finite = true;
            foreach (var v in p) finite &= double.IsFinite(v);
            if (!finite)
            {
                output.Fill(double.NaN);
                continue;
            }
            var argmax = ArgMax(p);
            row(p, argmax, output);
            if (!isDouble)
            {
                for (var j = 0; j < c; j++) output[j] = (float)output[j];
                KeepArgMaxFloat(output, argmax);
            }
            else
            {
                KeepArgMaxDouble(output, argmax);
            }
        }
        var type = isDouble ? ScalarType.Float64 : ScalarType.Float32;
        using var host = tensor(result, [n, c], ScalarType.Float64);
        using var typed = host.to_type(type);
        return typed.to(probabilities.device, copy: true);
    }

    /// <summary>The first index of the largest value (NaN-free input).</summary>
    public static int ArgMax(ReadOnlySpan<double> p)
    {
        var best = 0;
        for (var j = 1; j < p.Length; j++)
            if (p[j] > p[best]) best = j;
        return best;
    }

    /// <summary>Whether <paramref name="a"/> is the first maximal index of <paramref name="v"/>.</summary>
    private static bool IsFirstMax(Span<double> v, int a)
    {
        for (var j = 0; j < v.Length; j++)
        {
            if (j == a) continue;
            if (v[j] > v[a] || (v[j] == v[a] && j < a)) return false;
        }
        return true;
    }

    private static void KeepArgMaxFloat(Span<double> v, int a)
    {
        if (IsFirstMax(v, a)) return;
        var rival = 0f;
        for (var j = 0; j < v.Length; j++)
            if (j != a) rival = Math.Max(rival, (float)v[j]);
        // One float step above the strongest rival: the sum moves by at most a few float ulps.
        v[a] = MathF.BitIncrement(rival);
    }

    private static void KeepArgMaxDouble(Span<double> v, int a)
    {
        if (IsFirstMax(v, a)) return;
        var rival = 0.0;
        for (var j = 0; j < v.Length; j++)
            if (j != a) rival = Math.Max(rival, v[j]);
        v[a] = Math.BitIncrement(rival);
    }
}
