using NeuralShield.PyTorch;
using NeuralShield.Cli.Cluster;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.Training;

namespace NeuralShield.Cli.Audit;

/// <summary>The data of an audit: what the target trains on (when the audit trains it), what the attacker holds, and the test samples.</summary>
/// <param name="Name">The data set in the report.</param>
/// <param name="Train">Training data of a target the audit trains (disjoint from the others).</param>
/// <param name="Attacker">The attacker's own data from the same distribution.</param>
/// <param name="Test">The samples attacked.</param>
/// <param name="Tabular">Whether the samples are rows of features (the default architecture is then the tabular MLP).</param>
internal sealed record AuditDataSet(string Name, LabeledData Train, LabeledData Attacker, LabeledData Test, bool Tabular) : IDisposable
{
    /// <summary>The attacker's samples as rows of a dataset the sample silos serve (UCI Adult's training rows); null for other data.</summary>
    public DataReference? AttackerSource { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Attacker.Dispose();
        Test.Dispose();
    }
}

/// <summary>Reads <c>--data</c> and <c>--model</c>: every mistake is a <see cref="CliUserException"/> naming the option.</summary>
internal static class AuditInputs
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts Fashion-MNIST.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// <c>digits</c> (embedded scikit-learn digits), <c>mnist:DIR</c>, <c>fashion-mnist[:DIR]</c>, <c>adult:DIR</c> or a
    /// scikit-learn style CSV file. Sets of images are cut into training, attacker and test parts; at most
    /// <paramref name="trainSamples"/> training and attacker samples each.
    /// </summary>
    public static AuditDataSet LoadData(string spec, int trainSamples, long seed)
    {
        var (kind, argument) = Split(spec);
        try
        {
            switch (kind)
            {
                case "digits" when argument is null:
                {
                    using var digits = Datasets.Digits();
                    return ThreeWay("scikit-learn digits (8x8, [0, 1])", digits, seed, tabular: false);
                }
                case "mnist":
                    return Images("MNIST", DataFolders.ResolveMnist(argument is null ? null : new DirectoryInfo(argument)), null, trainSamples, seed);
                case "fashion-mnist":
                {
                    var folder = argument ?? FashionMnistFolder;
                    if (!Directory.Exists(folder))
                        throw new CliUserException($"--data fashion-mnist: folder {folder} does not exist (install Debian's dataset-fashion-mnist or pass fashion-mnist:DIR).");
                    return Images("Fashion-MNIST", folder, Mnist.FashionClassNames, trainSamples, seed);
                }
                case "adult":
                {
                    var folder = DataFolders.ResolveAdult(argument, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
                    using var adult = AdultDataset.Load(folder);
                    var (train, attacker, attackerRows) = TakeTwo(adult.Train, trainSamples, seed);
                    return new AuditDataSet($"UCI Adult ({folder})", train, attacker, adult.Test.Take(Math.Min(adult.Test.Count, 2000)), Tabular: true)
                    {
                        AttackerSource = ClusterCommands.AdultTrainRows(attackerRows),
                    };
                }
                default:
                {
                    if (!File.Exists(spec))
                        throw new CliUserException($"--data '{spec}' is neither digits, mnist:DIR, fashion-mnist[:DIR], adult:DIR nor an existing CSV file.");
                    using var csv = SklearnCsv.Load(spec);
                    return ThreeWay($"CSV {Path.GetFileName(spec)}", csv, seed, tabular: true);
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException or ArgumentException)
        {
            throw new CliUserException($"--data {spec}: {CommandRunner.OneLine(e.Message)}", e);
        }
    }

    private static (string Kind, string? Argument) Split(string spec)
    {
        var colon = spec.IndexOf(':');
        var kind = colon < 0 ? spec : spec[..colon];
        return kind is "digits" or "mnist" or "fashion-mnist" or "adult"
            ? (kind, colon < 0 ? null : spec[(colon + 1)..])
            : ("file", null);
    }

    /// <summary>48% training, 32% attacker, 20% test.</summary>
    private static AuditDataSet ThreeWay(string name, LabeledData all, long seed, bool tabular)
    {
        var (rest, test) = all.Split(0.8, seed);
        using var _ = rest;
        var (train, attacker) = rest.Split(0.6, seed + 1);
        return new AuditDataSet($"{name}: {train.Count} training, {attacker.Count} attacker, {test.Count} test samples", train, attacker, test, tabular);
    }

    private static AuditDataSet Images(string name, string folder, IReadOnlyList<string>? classNames, int trainSamples, long seed)
    {
        using var trainAll = Mnist.Load(folder, MnistSplit.Train, classNames);
        using var testAll = Mnist.Load(folder, MnistSplit.Test, classNames);
        var (train, attacker, _) = TakeTwo(trainAll, trainSamples, seed);
        var test = testAll.Shuffle(seed);
        return new AuditDataSet($"{name} ({folder}): {train.Count} training, {attacker.Count} attacker samples", train, attacker, test, Tabular: false);
    }

    /// <summary>Two disjoint random parts of <paramref name="count"/> samples (at most half each), and the rows of the second in <paramref name="all"/>.</summary>
    private static (LabeledData Train, LabeledData Attacker, long[] AttackerRows) TakeTwo(LabeledData all, int count, long seed)
    {
        using var shuffled = all.Shuffle(seed);
        using var perm = LabeledData.Permutation(all.Count, seed, TorchSharp.torch.CPU);
        var n = Math.Min(count, shuffled.Count / 2);
        return (shuffled.Slice(0, n), shuffled.Slice(n, n), perm.data<long>().ToArray()[n..(2 * n)]);
    }

    /// <summary>The recipe of zoo architecture <paramref name="arch"/> for <paramref name="data"/>.</summary>
    public static ModelRecipe Recipe(string arch, AuditDataSet data, int epochs, long seed, TorchSharp.torch.Device device)
    {
        var shape = data.Test.SampleShape;
        var classes = data.Test.ClassCount;
        ZooArchitecture architecture;
        try
        {
            architecture = ModelZoo.Architecture(arch, shape, classes);
            // Built once so that a class or feature count the architecture refuses is reported here, as a user error.
            architecture.Create(seed).Dispose();
        }
        catch (ArgumentException e)
        {
            throw new CliUserException($"--arch/--model zoo: {CommandRunner.OneLine(e.Message)}", e);
        }
        var bounds = InputBounds.Covering(data.Train.Features, data.Attacker.Features, data.Test.Features);
        return new ModelRecipe
        {
            Architecture = architecture.Create,
            Training = new TrainingOptions { Epochs = epochs, BatchSize = 64, LearningRate = 3e-3, Seed = seed },
            Seed = seed,
            Device = device,
            Bounds = bounds,
        };
    }

    /// <summary>An ONNX or TorchScript file (white box, its input contract checked), or weights (a PyTorch state_dict or a TorchSharp-saved module) loaded into <paramref name="arch"/>.</summary>
    public static IClassifier LoadModel(string path, string? arch, ModelRecipe recipeForArch, AuditDataSet data, AuditSettings s, TextWriter status)
    {
        if (!File.Exists(path)) throw new CliUserException($"--model {path}: no such file (use zoo:NAME, a .onnx file, or a PyTorch state_dict or TorchSharp-saved weights with --arch).");
        try
        {
            var scaling = s.Mean is not { Length: > 0 } && s.Std is not { Length: > 0 } ? InputScaling.Affine(s.InputScale) : InputScaling.Normalize(s.Mean ?? [], s.Std ?? [], s.InputScale);
            if (ModelFiles.Open(path, data.Test, new OnnxClassifierOptions { Bounds = recipeForArch.Bounds, Layout = s.Layout, Scaling = scaling }, status.WriteLine) is { } file) return file;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or NotSupportedException)
        {
            throw new CliUserException($"--model {path}: {CommandRunner.OneLine(e.Message)}", e);
        }
        if (arch is null) throw new CliUserException($"--model {path}: neither an ONNX model nor TorchScript; weights (a PyTorch state_dict or a TorchSharp-saved module) need --arch ({string.Join(", ", ModelZoo.Names)}).");
        if (!IsZipArchive(path))
        {
            // Not PyTorch's zip format: the weights TorchSharp's Module.save writes (the library's own models, its cache).
            var module = recipeForArch.Create();
            try
            {
                module.load(path, strict: true);
                return new TorchClassifier(module, data.Test.ClassCount, recipeForArch.Bounds, data.Test.SampleShape, ownsModule: true);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or NotSupportedException or FormatException
                                          or InvalidOperationException or EndOfStreamException)
            {
                module.Dispose();
                throw new CliUserException($"--model {path}: neither a PyTorch state_dict nor TorchSharp-saved weights of {arch}: {CommandRunner.OneLine(e.Message)}", e);
            }
        }
        try
        {
            return PyTorchWeights.LoadClassifier(recipeForArch.Create(), path, data.Test.ClassCount, recipeForArch.Bounds, data.Test.SampleShape,
                new PyTorchLoadOptions { NameMap = s.Map?.Select(m => m.Split('=')).ToDictionary(p => p[0], p => p.ElementAtOrDefault(1) ?? "") });
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or NotSupportedException or FormatException)
        {
            throw new CliUserException($"--model {path}: not a PyTorch state_dict of {arch}: {CommandRunner.OneLine(e.Message)} " +
                                       "(rename layers with --map FROM=TO, or export the model with torch.jit.save or torch.onnx.export and pass that file without --arch)", e);
        }
    }

    /// <summary>Whether the file starts with a zip local-file header (PyTorch's torch.save format since 1.6).</summary>
    private static bool IsZipArchive(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }
}
