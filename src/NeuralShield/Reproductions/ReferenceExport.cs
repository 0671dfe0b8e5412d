using System.Text.Json;

namespace NeuralShield.Reproductions;

/// <summary>
/// What a reproduction writes for a reference script in benchmarks/reference (<c>--variant export=DIR</c>): weights.json
/// (each parameter's name, shape and file), one little-endian float32 file per parameter, images.f32, labels.i64, any
/// further int64 files and results.json (the reproduction's own numbers and per-sample results).
/// </summary>
internal static class ReferenceExport
{
    /// <exception cref="ReproductionSettingException">The folder cannot be written.</exception>
    public static void Write(string folder, TorchClassifier model, Tensor images, Tensor labels, object results, IReadOnlyDictionary<string, Tensor>? extraInt64 = null)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var weights = new List<object>();
            foreach (var (name, parameter) in model.Module.state_dict())
            {
                var file = name + ".f32";
                Float32(Path.Combine(folder, file), parameter);
                weights.Add(new { name, shape = parameter.shape, file });
            }
            File.WriteAllText(Path.Combine(folder, "weights.json"), JsonSerializer.Serialize(weights));
            Float32(Path.Combine(folder, "images.f32"), images);
            Int64(Path.Combine(folder, "labels.i64"), labels);
            foreach (var (name, values) in extraInt64 ?? new Dictionary<string, Tensor>()) Int64(Path.Combine(folder, name), values);
            File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(results));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReproductionSettingException($"cannot write --variant export folder {folder}: {e.Message}", e);
        }
    }

    private static void Float32(string path, Tensor tensor)
    {
        using var cpu = tensor.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var values = cpu.data<float>().ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    private static void Int64(string path, Tensor tensor)
    {
        using var cpu = tensor.to_type(ScalarType.Int64).cpu().contiguous();
        var values = cpu.data<long>().ToArray();
        var bytes = new byte[values.Length * sizeof(long)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
