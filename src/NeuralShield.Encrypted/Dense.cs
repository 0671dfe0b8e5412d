using System.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralShield.Encrypted;

/// <summary>
/// A dense layer laid out for the diagonal method: <see cref="Rows"/> (outputs, padded to a power of two) generalised
/// diagonals over a period of <see cref="Span"/> slots (inputs or rows padded to a power of two, whichever is larger).
/// </summary>
internal sealed class Dense
{
    private double[] _weight = [];

    public int M { get; private init; }

    public int N { get; private init; }

    public int Rows { get; private init; }

    public int Span { get; private init; }

    public int Baby { get; private init; }

    public int Giant => Rows / Baby;

    public double[] Bias { get; private init; } = [];

    /// <summary>Rotations: baby steps, giant steps and the rotate-and-add over the repeats.</summary>
    public IEnumerable<int> Steps
    {
        get
        {
            for (var b = 1; b < Baby; b++) yield return b;
            for (var g = 1; g < Giant; g++) yield return g * Baby;
            for (var s = Span / 2; s >= Rows; s /= 2) yield return s;
        }
    }

    public static Dense From(Linear linear, string name, int inputs)
    {
        if (linear.in_features != inputs)
            throw new ArgumentException($"layer '{name}' (Linear) takes {linear.in_features} inputs; the layer before gives {inputs}", nameof(linear));
        var m = (int)linear.out_features;
        var rows = (int)BitOperations.RoundUpToPowerOf2((uint)m);
        var baby = 1 << (BitOperations.Log2((uint)rows) + 1) / 2;
        using var weight = linear.weight!.detach().cpu().to_type(ScalarType.Float64);
        return new Dense
        {
            M = m, N = inputs, Rows = rows, Baby = baby,
            Span = Math.Max(rows, (int)BitOperations.RoundUpToPowerOf2((uint)inputs)),
            _weight = weight.data<double>().ToArray(),
            Bias = linear.bias is null ? new double[m] : linear.bias.detach().cpu().to_type(ScalarType.Float64).data<double>().ToArray(),
        };
    }

    /// <summary>Diagonal d at slot i: W[i mod Rows, (i + d) mod Span] (zero outside the matrix); i may be negative.</summary>
    public double Diagonal(int d, int i)
    {
        var slot = ((i % Span) + Span) % Span;
        var (row, column) = (slot % Rows, (slot + d) % Span);
        return row < M && column < N ? _weight[row * N + column] : 0;
    }
}
