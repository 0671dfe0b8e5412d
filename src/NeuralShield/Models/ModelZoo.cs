using static TorchSharp.torch.nn;

namespace NeuralShield.Models;

/// <summary>
/// Factories for the models the papers attack. Each returns a fresh module that maps a batch
/// [N, ...] to logits [N, classes]; weights are initialised from <c>seed</c>.
/// </summary>
public static class ModelZoo
{
    /// <summary>Multinomial logistic regression (Goodfellow et al.'s softmax regression): flatten, one linear layer.</summary>
    public static Module<Tensor, Tensor> SoftmaxRegression(int inputFeatures, int classes, long seed = 0)
    {
        Check(inputFeatures, classes);
        random.manual_seed(seed);
        return Sequential(("flatten", Flatten()), ("linear", Linear(inputFeatures, classes)));
    }

    /// <summary>A fully connected network: flatten, then hidden layers of the given widths with <paramref name="activation"/>.</summary>
    public static Module<Tensor, Tensor> Mlp(int inputFeatures, IReadOnlyList<int> hidden, int classes, Activation activation = Activation.ReLU, long seed = 0)
    {
        Check(inputFeatures, classes);
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0 || hidden.Any(h => h <= 0))
            throw new ArgumentException("hidden must list at least one positive layer width.", nameof(hidden));
        random.manual_seed(seed);
        var layers = new List<(string, Module<Tensor, Tensor>)> { ("flatten", Flatten()) };
        var width = inputFeatures;
        for (var i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"fc{i + 1}", Linear(width, hidden[i])));
            layers.Add(($"act{i + 1}", Make(activation)));
            width = hidden[i];
        }
        layers.Add(("logits", Linear(width, classes)));
        return Sequential(layers);
    }

    /// <summary>An MLP for tabular data (e.g. UCI Adult after one-hot encoding): hidden layers 64-32, ReLU.</summary>
    public static Module<Tensor, Tensor> TabularMlp(int inputFeatures, int classes, long seed = 0) =>
        Mlp(inputFeatures, TabularHidden, classes, Activation.ReLU, seed);

    /// <summary>The hidden widths of <see cref="TabularMlp"/>.</summary>
    private static readonly int[] TabularHidden = [64, 32];

    /// <summary>
    /// LeNet-5 (LeCun et al. 1998) for [N, channels, 28, 28]: conv 6@5×5 (padding 2), max-pool, conv 16@5×5,
    /// max-pool, fully connected 120-84-classes.
    /// </summary>
    public static Module<Tensor, Tensor> LeNet5(int classes = 10, int channels = 1, Activation activation = Activation.ReLU, long seed = 0)
    {
        Check(channels, classes);
        random.manual_seed(seed);
        return Sequential(
            ("conv1", Conv2d(channels, 6, 5, padding: 2)), ("act1", Make(activation)), ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(6, 16, 5)), ("act2", Make(activation)), ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("fc1", Linear(16 * 5 * 5, 120)), ("act3", Make(activation)),
            ("fc2", Linear(120, 84)), ("act4", Make(activation)),
            ("logits", Linear(84, classes)));
    }

    /// <summary>
    /// The MNIST network of the defensive-distillation paper (Papernot et al., S&amp;P 2016, Table 1) for
    /// [N, channels, 28, 28]: conv 32@3×3, conv 32@3×3, max-pool 2×2, conv 64@3×3, conv 64@3×3, max-pool 2×2,
    /// fully connected 200-200-classes. Also the JSMA paper's kind of LeNet-style net.
    /// </summary>
    public static Module<Tensor, Tensor> DistillationCnn(int classes = 10, int channels = 1, Activation activation = Activation.ReLU, long seed = 0)
    {
        Check(channels, classes);
        random.manual_seed(seed);
        return Sequential(
            ("conv1", Conv2d(channels, 32, 3)), ("act1", Make(activation)),
            ("conv2", Conv2d(32, 32, 3)), ("act2", Make(activation)), ("pool1", MaxPool2d(2)),
            ("conv3", Conv2d(32, 64, 3)), ("act3", Make(activation)),
            ("conv4", Conv2d(64, 64, 3)), ("act4", Make(activation)), ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("fc1", Linear(64 * 4 * 4, 200)), ("act5", Make(activation)),
            ("fc2", Linear(200, 200)), ("act6", Make(activation)),
            ("logits", Linear(200, classes)));
    }

    internal static Module<Tensor, Tensor> Make(Activation activation) => activation switch
    {
        Activation.ReLU => ReLU(),
        Activation.Sigmoid => Sigmoid(),
        Activation.Tanh => Tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    private static void Check(int inputs, int classes)
    {
        Guard.Positive(inputs, "inputFeatures");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
    }

    /// <summary>The architecture names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["softmax", "mlp", "tabular-mlp", "lenet5", "distillation-cnn"];

    /// <summary>
    /// The architecture called <paramref name="name"/> (one of <see cref="Names"/>) for samples of
    /// <paramref name="sampleShape"/>: softmax regression, an MLP 128-64, the tabular MLP 64-32 (these flatten any
    /// sample), LeNet-5 and the distillation CNN ([C, 28, 28] samples).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or a convolutional network for samples that are not [C, 28, 28].</exception>
    public static Module<Tensor, Tensor> Create(string name, IReadOnlyList<long> sampleShape, int classes, long seed = 0) =>
        Architecture(name, sampleShape, classes).Create(seed);

    /// <summary>
    /// The <see cref="ZooArchitecture"/> called <paramref name="name"/> (one of <see cref="Names"/>) for samples of
    /// <paramref name="sampleShape"/> (see <see cref="Create(string, IReadOnlyList{long}, int, long)"/>): a recipe whose
    /// architecture is its <c>Create</c> can be rebuilt by a service that trains elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or a convolutional network for samples that are not [C, 28, 28].</exception>
    public static ZooArchitecture Architecture(string name, IReadOnlyList<long> sampleShape, int classes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sampleShape);
        var features = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        var image = sampleShape.Count == 3 && sampleShape[1] == 28 && sampleShape[2] == 28;
        var channels = image ? (int)sampleShape[0] : 1;
        return name.ToLowerInvariant() switch
        {
            "softmax" => new ZooArchitecture(ZooModel.SoftmaxRegression, features, classes),
            "mlp" => ZooArchitecture.Mlp(features, [128, 64], classes),
            "tabular-mlp" => ZooArchitecture.Mlp(features, TabularHidden, classes),
            "lenet5" when image => new ZooArchitecture(ZooModel.LeNet5, features, classes, Channels: channels),
            "distillation-cnn" when image => new ZooArchitecture(ZooModel.DistillationCnn, features, classes, Channels: channels),
            "lenet5" or "distillation-cnn" => throw new ArgumentException($"{name} needs [C, 28, 28] samples; the data have [{string.Join(", ", sampleShape)}].", nameof(sampleShape)),
            _ => throw new ArgumentException($"unknown architecture '{name}' (use {string.Join(", ", Names)}).", nameof(name)),
        };
    }
}
