namespace NeuralShield.Reproductions;

/// <summary>MNIST as the reproductions use it: the training images of the folder, and the first N test images (of a permutation, with <see cref="ReproductionContext.TestOrder"/>).</summary>
internal static class ExperimentData
{
    public static (LabeledData Train, LabeledData Test) Mnist(ReproductionContext context, int defaultSamples)
    {
        var train = MnistTrain(context);
        using var fileOrder = Load(context.DataDirectory, MnistSplit.Test);
        using var permuted = context.TestOrder is { } order ? fileOrder.Shuffle(order) : null;
        var test = (permuted ?? fileOrder).Take(context.Samples ?? defaultSamples);
        var which = context.TestOrder is { } seed ? $"{test.Count} test images (the first of a permutation with seed {seed})" : $"the first {test.Count} test images";
        context.Log.WriteLine($"  MNIST: {train.Count} training images, attacking {which}");
        return (train, test);
    }

    /// <summary>The training images of the folder, at most <see cref="ReproductionContext.TrainSamples"/> of them.</summary>
    public static LabeledData MnistTrain(ReproductionContext context) => context.CapTrain(Load(context.DataDirectory, MnistSplit.Train));

    private static LabeledData Load(string directory, MnistSplit split)
    {
        try
        {
            return NeuralShield.Data.Mnist.Load(directory, split);
        }
        catch (InvalidDataException e)
        {
            throw new ReproductionSettingException($"MNIST folder {directory}: {e.Message}", e);
        }
    }

    /// <summary>How <see cref="LeNet5"/> is trained, as the reports' "training" setting states it.</summary>
    public const string LeNet5Training = "train-first10k, Adam lr 1e-3, 10 epochs, batch 128";

    /// <summary>The shared LeNet-5's epochs.</summary>
    public const int LeNet5Epochs = 10;
    private const int LeNet5BatchSize = 128;

    /// <summary>
    /// LeNet-5 trained on <paramref name="train"/> (Adam lr 1e-3, 10 epochs, batch 128), cached by seed and shared by
    /// the reproductions that attack "LeNet"; the classifier owns the module. <paramref name="epochs"/>: its epochs when
    /// given (a defense reproduction whose <see cref="ReproductionContext.Epochs"/> means its defended models' keeps
    /// <see cref="LeNet5Epochs"/>), otherwise <see cref="ReproductionContext.Epochs"/> or 10.
    /// </summary>
    public static TorchClassifier LeNet5(ReproductionContext context, LabeledData train, CancellationToken cancellationToken, int? epochs = null)
    {
        var training = new TrainingOptions { Epochs = epochs ?? context.Epochs ?? LeNet5Epochs, BatchSize = LeNet5BatchSize, LearningRate = 1e-3, Seed = context.Seed };
        var recipe = new ModelRecipe { Architecture = s => ModelZoo.LeNet5(10, 1, Activation.ReLU, s), Training = training, Seed = context.Seed, Device = context.Device };
        return ModelCache.Train(context, $"lenet5-adam-lr1e-3-e{training.Epochs}-b128", recipe, train, cancellationToken).Classifier;
    }
}
