using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.PyTorch;

/// <summary>Settings of <see cref="PyTorchWeights.Load(nn.Module, string, PyTorchLoadOptions?)"/>.</summary>
public sealed class PyTorchLoadOptions : OptionsBase<PyTorchLoadOptions>
{
    /// <summary>
    /// Renames PyTorch keys to the module's names. A key of the map is a full PyTorch key (<c>"fc3.weight"</c>) or a
    /// dotted module prefix (<c>"fc3"</c>, <c>"features.0"</c>) replaced at the start of every key it prefixes; an exact
    /// key wins, then the longest prefix. E.g. a PyTorch LeNet-5 whose last layer is <c>fc3</c> loads into
    /// <see cref="ModelZoo.LeNet5"/> (last layer <c>logits</c>) with <c>{ ["fc3"] = "logits" }</c>. Null: names as they are.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NameMap { get; set; }

    /// <summary>
    /// Whether every parameter and buffer of the module must be in the file and every key of the file must be used
    /// (PyTorch's <c>strict=True</c>). Default true. Shapes are always checked.
    /// </summary>
    public bool Strict { get; set; } = true;

    /// <summary>PyTorch keys (after no renaming) to leave out, e.g. <c>"bn1.num_batches_tracked"</c>. Null: none.</summary>
    public IReadOnlyList<string>? Ignore { get; set; }

    /// <inheritdoc />
    public override PyTorchLoadOptions Copy()
    {
        var copy = (PyTorchLoadOptions)MemberwiseClone();
        copy.NameMap = NameMap is null ? null : new Dictionary<string, string>(NameMap);
        copy.Ignore = Ignore?.ToArray();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (NameMap is not null && NameMap.Any(kv => string.IsNullOrWhiteSpace(kv.Key) || string.IsNullOrWhiteSpace(kv.Value)))
            throw new ArgumentException("NameMap must map non-empty names to non-empty names.", nameof(NameMap));
        if (Ignore is not null && Ignore.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Ignore must list non-empty keys.", nameof(Ignore));
    }
}
