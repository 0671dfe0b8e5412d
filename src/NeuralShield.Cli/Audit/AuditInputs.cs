using NeuralShield.PyTorch;
using NeuralShield.Cli.Cluster;
using NeuralShield.Data;
using NeuralShield.Images;
using NeuralShield.Models;
using NeuralShield.MLNet;
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

    /// <summary>What a valid record is (Adult, a CSV read with --label, refined by --schema); null for images.</summary>
    public FeatureSchema? Schema { get; init; }

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
    public static AuditDataSet LoadData(string spec, int trainSamples, long seed, string? label = null, string? schemaFile = null)
    {
        var loaded = LoadData(spec, trainSamples, seed, label);
        if (schemaFile is null) return loaded;
        try
        {
            var schema = loaded.Schema ?? throw new InvalidDataException($"a schema refines tabular data (adult:DIR, or a CSV file with --label); '{spec}' is not.");
            return loaded with { Schema = schema.Refine(schemaFile) };
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            loaded.Dispose();
            throw new CliUserException($"--schema {schemaFile}: {CommandRunner.OneLine(e.Message)}", e);
        }
    }

    private static AuditDataSet LoadData(string spec, int trainSamples, long seed, string? label)
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
                        Schema = adult.Schema,
                    };
                }
                case "images" when argument is not null:
                {
                    var at = argument.LastIndexOf('@');
                    long[] shape = at < 0 ? [3, 32, 32] : argument[(at + 1)..].Split('x').Select(v => long.TryParse(v, out var n) ? n : -1).ToArray();
                    using var images = ImageFolder.Load(at < 0 ? argument : argument[..at], shape);
                    return ThreeWay($"image folder {argument}", images, seed, tabular: false);
                }
                case "cifar10" when argument is not null:
                    return Images("CIFAR-10", argument, Cifar10.Load(argument, train: true), Cifar10.Load(argument, train: false), trainSamples, seed);
                default:
                {
                    if (!File.Exists(spec))
                        throw new CliUserException($"--data '{spec}' is neither digits, mnist:DIR, fashion-mnist[:DIR], adult:DIR, cifar10:DIR, images:DIR[@CxHxW] nor an existing CSV file.");
                    if (label is not null)
                    {
                        using var table = TabularCsv.Load(spec, label);
                        return ThreeWay($"CSV {Path.GetFileName(spec)}", table.Data, seed, tabular: true) with { Schema = table.Schema };
                    }
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
        return kind is "digits" or "mnist" or "fashion-mnist" or "adult" or "images" or "cifar10"
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

    private static AuditDataSet Images(string name, string folder, IReadOnlyList<string>? classNames, int trainSamples, long seed) =>
        Images(name, folder, Mnist.Load(folder, MnistSplit.Train, classNames), Mnist.Load(folder, MnistSplit.Test, classNames), trainSamples, seed);

    /// <summary>Sets of images with their own test split: training and attacker samples from the training part; takes ownership of both.</summary>
    private static AuditDataSet Images(string name, string folder, LabeledData trainAll, LabeledData testAll, int trainSamples, long seed)
    {
        using var _ = trainAll;
        using var __ = testAll;
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

    /// <summary>An ONNX or TorchScript file (white box, its input contract checked), an ML.NET model (a .zip without <paramref name="arch"/>, black box), or weights (a PyTorch state_dict or a TorchSharp-saved module) loaded into <paramref name="arch"/>.</summary>
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
        if (arch is null && ModelFiles.IsZip(path)) return LoadMLNet(path, recipeForArch, data);
        if (arch is null) throw new CliUserException($"--model {path}: neither an ONNX model nor TorchScript; weights (a PyTorch state_dict or a TorchSharp-saved module) need --arch ({string.Join(", ", ModelZoo.Names)}).");
        if (!ModelFiles.IsZip(path))
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

    /// <summary>--train-data: a CSV file of the target's training rows, in the layout and with the classes of <paramref name="data"/>.</summary>
    public static LabeledData LoadTrainingData(string path, AuditDataSet data)
    {
        LabeledData rows;
        try
        {
            rows = SklearnCsv.Load(path, classCount: data.Test.ClassCount);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or IOException)
        {
            throw new CliUserException($"--train-data {path}: {CommandRunner.OneLine(e.Message)}", e);
        }
        var shape = rows.SampleShape;
        if (shape.SequenceEqual(data.Test.SampleShape)) return rows;
        rows.Dispose();
        throw new CliUserException($"--train-data {path}: samples of shape [{string.Join(", ", shape)}], but --data's are [{string.Join(", ", data.Test.SampleShape)}].");
    }

    /// <summary>An ML.NET model (a .zip written by MLContext.Model.Save) as a black box on <paramref name="data"/>'s bounds.</summary>
    private static MLNetClassifier LoadMLNet(string path, ModelRecipe recipeForArch, AuditDataSet data)
    {
        try
        {
            return new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = recipeForArch.Bounds, ClassCount = data.Test.ClassCount });
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            throw new CliUserException($"--model {path}: not a readable ML.NET classifier for these data (PyTorch weights in a .zip need --arch): {CommandRunner.OneLine(e.Message)}", e);
        }
    }
}
