using NeuralShield.Models;
using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NeuralShield.PyTorch;

/// <summary>
/// Weights trained in PyTorch, in TorchSharp modules: reads a file written by <c>torch.save(model.state_dict(), path)</c>
/// (the zip format of PyTorch ≥ 1.6, through TorchSharp.PyBridge) into a module of the same architecture — typically a
/// <see cref="ModelZoo"/> network — so that a user's PyTorch model can be attacked white-box as a
/// <see cref="TorchClassifier"/>. Names may be mapped; every shape is checked before anything is copied, so a refused
/// file leaves the module as it was.
/// </summary>
/// <remarks>
/// The zoo's names are those of its <c>Sequential</c> layers: <c>SoftmaxRegression</c> has <c>linear</c>;
/// <c>Mlp</c> has <c>fc1</c> … <c>fcK</c> and <c>logits</c>; <c>LeNet5</c> has <c>conv1</c>, <c>conv2</c>, <c>fc1</c>,
/// <c>fc2</c>, <c>logits</c>; each with <c>.weight</c> and <c>.bias</c> in PyTorch's layouts (linear [out, in], conv
/// [out, in, kh, kw]). A PyTorch <c>nn.Sequential</c> numbers its layers (<c>"1.weight"</c>); map the numbers to these
/// names with <see cref="PyTorchLoadOptions.NameMap"/>. <see cref="Describe"/> lists a file's keys and shapes.
/// </remarks>
public static class PyTorchWeights
{
    /// <summary>Loads the state_dict at <paramref name="path"/> into <paramref name="module"/>'s parameters and buffers.</summary>
    /// <param name="module">The module to fill, of the architecture the weights were trained with; its device and dtypes are kept.</param>
    /// <param name="path">A file written by <c>torch.save(model.state_dict(), path)</c>.</param>
    /// <param name="options">Name map, strictness, keys to ignore; validated and copied. Null: strict, names as they are.</param>
    /// <returns>What was loaded, and (when not strict) what was missing or unexpected.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a PyTorch state_dict (a legacy or whole-model pickle, a checkpoint dictionary, not a zip); the message names the path.</exception>
    /// <exception cref="ArgumentException">
    /// A tensor's shape differs from the module's (naming the parameter, the expected and the found shape), two file keys
    /// map to one name, or, when strict, keys are missing or unexpected (listed).
    /// </exception>
    public static PyTorchLoadReport Load(nn.Module module, string path, PyTorchLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var validated = (options ?? new PyTorchLoadOptions()).Validated();
        using var file = Read(path);
        return Apply(module, file.Tensors, validated, $"'{path}'");
    }

    /// <summary>
    /// Loads the state_dict at <paramref name="path"/> into <paramref name="module"/> and wraps it as a white-box
    /// classifier that owns the module (disposing the classifier disposes it; a refused file disposes it too).
    /// </summary>
    /// <param name="module">Maps [N, ...] to logits [N, <paramref name="classCount"/>], e.g. <c>ModelZoo.LeNet5()</c>.</param>
    /// <param name="path">A file written by <c>torch.save(model.state_dict(), path)</c>.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="bounds">The input box the model was trained on; default [0, 1].</param>
    /// <param name="inputShape">The per-sample input shape, checked on every call when given.</param>
    /// <param name="options">As for <see cref="Load(nn.Module, string, PyTorchLoadOptions?)"/>.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a PyTorch state_dict.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Load(nn.Module, string, PyTorchLoadOptions?)"/>, or an invalid class count, bounds or shape.</exception>
    public static TorchClassifier LoadClassifier(nn.Module<Tensor, Tensor> module, string path, int classCount, InputBounds? bounds = null,
        long[]? inputShape = null, PyTorchLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        try
        {
            Load(module, path, options);
            return new TorchClassifier(module, classCount, bounds, inputShape, ownsModule: true);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The keys of the state_dict at <paramref name="path"/> and their shapes, sorted by key: what a name map maps from.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a PyTorch state_dict.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<long>> Describe(string path)
    {
        using var file = Read(path);
        return new SortedDictionary<string, IReadOnlyList<long>>(
            file.Tensors.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<long>)kv.Value.shape), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s parameters and buffers as a PyTorch state_dict file that
    /// <c>model.load_state_dict(torch.load(path))</c> reads.
    /// </summary>
    /// <param name="module">The module to save.</param>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="nameMap">Renames the module's names (full names or dotted prefixes, as in <see cref="PyTorchLoadOptions.NameMap"/>) to PyTorch's. Null: as they are.</param>
    /// <exception cref="ArgumentException">Two names map to one PyTorch key.</exception>
    public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? nameMap = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var state = new Hashtable();
        foreach (var (name, value) in module.state_dict())
        {
            var key = Rename(name, nameMap);
            if (state.ContainsKey(key))
                throw new ArgumentException($"Two of the module's names map to the PyTorch key '{key}'.", nameof(nameMap));
            state[key] = value;
        }
        using var stream = File.Create(path);
        PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
    }

    private static PyTorchLoadReport Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> file, PyTorchLoadOptions options, string source)
    {
        var target = module.state_dict();
        var ignore = new HashSet<string>(options.Ignore ?? [], StringComparer.Ordinal);
        var ignored = new List<string>();
        var unexpected = new List<string>();
        var pairs = new List<(string Name, Tensor Target, Tensor Source)>();
        var mismatches = new List<string>();
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        var unused = options.NameMap?.Keys.Where(m => !file.Keys.Any(k => k == m || k.StartsWith(m + ".", StringComparison.Ordinal))).ToArray() ?? [];
        if (unused.Length > 0)
            throw new ArgumentException(
                $"NameMap renames {string.Join(", ", unused.Select(u => $"'{u}'"))}, which is neither a key nor a layer of {source}; its layers are " +
                $"{string.Join(", ", file.Keys.Select(k => k.Contains('.') ? k[..k.LastIndexOf('.')] : k).Distinct().Order(StringComparer.Ordinal))}.",
                nameof(options));
        foreach (var key in file.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            if (ignore.Contains(key))
            {
                ignored.Add(key);
                continue;
            }
            var name = Rename(key, options.NameMap);
            if (claimed.TryGetValue(name, out var other))
                throw new ArgumentException($"The keys '{other}' and '{key}' of {source} both map to '{name}'; check NameMap.", nameof(options));
            claimed[name] = key;
            if (!target.TryGetValue(name, out var parameter))
            {
                unexpected.Add(name == key ? key : $"{key} (as {name})");
                continue;
            }
            var found = file[key];
            if (!found.shape.SequenceEqual(parameter.shape))
            {
                mismatches.Add($"'{name}'{(name == key ? "" : $" (file key '{key}')")}: the module expects {Format(parameter.shape)}, {source} has {Format(found.shape)}");
                continue;
            }
            pairs.Add((name, parameter, found));
        }
        if (mismatches.Count > 0)
            throw new ArgumentException($"Shape mismatch loading {source}: {string.Join("; ", mismatches)}.", nameof(module));
        var loaded = pairs.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = target.Keys.Where(k => !loaded.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (options.Strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing from the file: {string.Join(", ", missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected in the file: {string.Join(", ", unexpected)}");
            throw new ArgumentException(
                $"{source} does not match the module ({string.Join("; ", parts)}). Map names with NameMap, leave keys out with Ignore, or set Strict = false.",
                nameof(module));
        }
        using (no_grad())
        {
            foreach (var (_, parameter, found) in pairs) parameter.copy_(found);
        }
        return new PyTorchLoadReport(pairs.Select(p => p.Name).ToArray(), missing, unexpected, ignored);
    }

    /// <summary>An exact key of the map, else its longest dotted prefix, else the name itself.</summary>
    private static string Rename(string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null) return name;
        if (map.TryGetValue(name, out var exact)) return exact;
        for (var end = name.LastIndexOf('.'); end > 0; end = name.LastIndexOf('.', end - 1))
        {
            if (map.TryGetValue(name[..end], out var prefix)) return prefix + name[end..];
        }
        return name;
    }

    private static StateDictFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The PyTorch state_dict file '{path}' does not exist.", path);
        var head = new byte[4];
        using (var probe = File.OpenRead(path)) _ = probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (head is not [(byte)'P', (byte)'K', 3, 4])
            throw new InvalidDataException(head[0] == 0x80
                ? $"'{path}' is a pickle written by torch.save before PyTorch 1.6 (or with _use_new_zipfile_serialization=False); save it again with PyTorch 1.6 or later."
                : $"'{path}' is not a PyTorch state_dict file: torch.save (PyTorch 1.6 or later) writes a zip archive, and this file does not start with one.");
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: false);
        }
        catch (Exception e) when (e is NotImplementedException or InvalidDataException or InvalidCastException or EndOfStreamException
                                      or KeyNotFoundException or InvalidOperationException or Razorvine.Pickle.PickleException or IndexOutOfRangeException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a PyTorch state_dict file (written by torch.save(model.state_dict(), path), PyTorch 1.6 or later): {e.Message}", e);
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var others = new List<string>();
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && entry.Value is Tensor t) tensors[key] = t;
            else others.Add(entry.Key?.ToString() ?? "null");
        }
        if (tensors.Count == 0)
        {
            var found = others.Count == 0 ? "nothing" : $"only the non-tensor entries {string.Join(", ", others.Select(o => $"'{o}'"))} (a training checkpoint?)";
            throw new InvalidDataException($"'{path}' holds no tensors at its top level but {found}; save model.state_dict() itself.");
        }
        return new StateDictFile(tensors);
    }

    private static string Format(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    private sealed class StateDictFile(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

        public void Dispose()
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
