using System.CommandLine;
using System.Globalization;
using NeuralShield.Onnx;

namespace NeuralShield.Cli.Audit;

/// <summary>The input contract of a user's model file, as given on the command line.</summary>
internal sealed record ModelContract(InputLayout Layout, float Scale, float[]? Mean, float[]? Std, IReadOnlyDictionary<string, string>? Map)
{
    public OnnxClassifierOptions ToOptions(NeuralShield.Models.InputBounds bounds, int classes) => new()
    {
        Bounds = bounds,
        ClassCount = classes,
        Layout = Layout,
        Scaling = Mean is null ? Scale == 1f ? InputScaling.None : InputScaling.Affine(Scale) : InputScaling.Normalize(Mean, Std!, Scale),
    };

    /// <summary>The options that give <paramref name="o"/>'s scaling and layout.</summary>
    public static string Flags(OnnxClassifierOptions o) =>
        $"--layout {o.Layout.ToString().ToLowerInvariant()} --input-scale {o.Scaling.Scale.ToString("G6", CultureInfo.InvariantCulture)}" +
        (o.Scaling.Mean is { } m ? $" --mean {Join(m)} --std {Join(o.Scaling.Std!)}" : "");

    private static string Join(IEnumerable<float> v) => string.Join(",", v.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)));
}

/// <summary><c>--layout</c>, <c>--input-scale</c>, <c>--mean</c>, <c>--std</c> and <c>--map</c>: one place that declares and reads them.</summary>
internal sealed class ModelContractOptions
{
    private readonly Option<string> _layout = new("--layout") { Description = "How a model file takes a sample: auto (read from an ONNX input shape), nchw, nhwc or flat", DefaultValueFactory = _ => "auto" };
    private readonly Option<string?> _scale = new("--input-scale") { Description = "The value range a model file expects: 1 (the data's [0, 1]; default), 255 (raw pixels) or any factor applied to the data" };
    private readonly Option<string?> _mean = new("--mean") { Description = "Per-channel means subtracted after --input-scale, comma-separated (torchvision Normalize), with --std" };
    private readonly Option<string?> _std = new("--std") { Description = "Per-channel standard deviations divided by, comma-separated, with --mean" };
    private readonly Option<string[]> _map = new("--map") { Description = "Renames a state_dict's layer to the zoo architecture's, repeatable: --map fc3=logits", Arity = ArgumentArity.ZeroOrMore };

    public ModelContractOptions() => _layout.AcceptOnlyFromAmong("auto", "nchw", "nhwc", "flat");

    public IEnumerable<Option> All => [_layout, _scale, _mean, _std, _map];

    public ModelContract Read(ParseResult parse)
    {
        var scale = parse.GetValue(_scale) is { } s ? Number(s, "--input-scale") : 1f;
        if (!(scale > 0)) throw new CliUserException($"--input-scale must be a positive number (got '{parse.GetValue(_scale)}').");
        var mean = List(parse.GetValue(_mean), "--mean");
        var std = List(parse.GetValue(_std), "--std");
        if ((mean is null) != (std is null) || mean is not null && mean.Length != std!.Length)
            throw new CliUserException("--mean and --std go together, with one value per channel each (e.g. --mean 0.1307 --std 0.3081).");
        if (std is not null && std.Any(v => !(v > 0))) throw new CliUserException("--std values must be positive.");
        var map = parse.GetValue(_map) is { Length: > 0 } pairs ? pairs.SelectMany(p => p.Split(',')).Select(p => p.Split('=')).ToDictionary(
            p => p.Length == 2 && p[0].Trim().Length > 0 && p[1].Trim().Length > 0 ? p[0].Trim() : throw new CliUserException($"--map takes FROM=TO pairs (e.g. fc3=logits); got '{string.Join("=", p)}'."),
            p => p[1].Trim()) : null;
        return new ModelContract(Enum.Parse<InputLayout>(parse.GetValue(_layout) ?? "auto", ignoreCase: true), scale, mean, std, map);
    }

    private static float Number(string text, string option) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v
            : throw new CliUserException($"{option} takes numbers (got '{text}').");

    private static float[]? List(string? text, string option) => text?.Split(',').Select(t => Number(t.Trim(), option)).ToArray();
}
