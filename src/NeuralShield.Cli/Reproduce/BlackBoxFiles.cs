using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.Reproductions;

namespace NeuralShield.Cli.Reproduce;

/// <summary>The ONNX files the black-box reproductions query: <c>--oracle</c> and the shared third-party models.</summary>
internal static class BlackBoxFiles
{
    /// <summary>Where the third-party ONNX models are looked for, above the current and the application's folder.</summary>
    public static string ModelsRelativePath { get; } = Path.Combine("shared", "models");

    /// <summary>The third-party ONNX models of the transfer matrix: file name and matrix name.</summary>
    public static IReadOnlyList<(string File, string Name)> SharedOnnxModels { get; } = [("mnist-8.onnx", "mnist8"), ("lenet5-pytorch.onnx", "lenet5_pytorch")];

    /// <summary>
    /// The black boxes of <paramref name="experiment"/>: substitute and square query <paramref name="oracle"/> (none: their own LeNet-5);
    /// transfer the shared models found under <see cref="ModelsRelativePath"/> and <paramref name="oracle"/> when it is another file.
    /// </summary>
    public static List<BlackBoxModel> Open(string experiment, string? oracle)
    {
        var files = new List<(string Path, string Name)>();
        if (experiment == "transfer")
        {
            var folder = DataFolders.FindAbove(ModelsRelativePath, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
            if (folder is not null)
                files.AddRange(SharedOnnxModels.Select(m => (Path: Path.Combine(folder, m.File), m.Name)).Where(m => File.Exists(m.Path)));
        }
        if (oracle is not null && ReproduceCommand.TrainingOptionUsers["--oracle"].Contains(experiment) && !files.Any(f => string.Equals(Path.GetFullPath(f.Path), oracle, StringComparison.Ordinal)))
        {
            var name = OnnxName(oracle);
            while (files.Any(f => f.Name == name)) name += "_oracle";
            files.Add((oracle, name));
        }
        var opened = new List<BlackBoxModel>();
        try
        {
            foreach (var (path, name) in files) opened.Add(new BlackBoxModel(name, path, OpenOnnx(path)));
            return opened;
        }
        catch
        {
            foreach (var m in opened) ((IDisposable)m.Classifier).Dispose();
            throw;
        }
    }

    /// <summary>A matrix name for an ONNX file: its file name without extension, lower case, letters and digits (others as '_').</summary>
    public static string OnnxName(string path)
    {
        var known = SharedOnnxModels.FirstOrDefault(m => string.Equals(m.File, Path.GetFileName(path), StringComparison.OrdinalIgnoreCase));
        if (known.Name is not null) return known.Name;
        var stem = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        var name = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');
        return name.Length == 0 ? "onnx" : name;
    }

    /// <summary>Opens an ONNX classifier for MNIST-shaped inputs in [0, 1] (no rescaling, softmax when it outputs logits, 10 classes).</summary>
    /// <exception cref="CliUserException">The file cannot be loaded as such a model.</exception>
    public static OnnxClassifier OpenOnnx(string path)
    {
        try
        {
            var model = new OnnxClassifier(path, new OnnxClassifierOptions { Bounds = InputBounds.Unit, ClassCount = 10 });
            if (model.SampleShape.Count != 3 || model.SampleShape[0] is not (1 or -1) || model.SampleShape[1] is not (28 or -1) || model.SampleShape[2] is not (28 or -1))
            {
                var shape = string.Join(", ", model.SampleShape);
                model.Dispose();
                throw new CliUserException($"--oracle {path}: the model takes samples of shape [{shape}], not MNIST's [1, 28, 28].");
            }
            return model;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            throw new CliUserException($"--oracle {path}: {CommandRunner.OneLine(e.Message)}", e);
        }
    }
}
