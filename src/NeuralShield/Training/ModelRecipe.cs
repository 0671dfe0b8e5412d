using Microsoft.Extensions.Logging;

namespace NeuralShield.Training;

/// <summary>
/// How to build and train one kind of model: an architecture factory (seed → fresh module), the training options, the
/// seed, the device and the input bounds. Training defenses, shadow models, substitutes and property-inference
/// shadows all make their models from a recipe, so "create, train, dispose on failure, wrap" is written once
/// (<see cref="Train"/>). Recipes are options: validated and copied by whoever keeps one.
/// </summary>
public sealed class ModelRecipe : OptionsBase<ModelRecipe>
{
    // The zoo's factories seed TorchSharp's process-wide generator before creating layers: creation is exclusive
    // across the process so that models made on several threads get the weights their seeds give.
    private static readonly object CreationGate = new();

    /// <summary>Makes a fresh module (inputs → logits) with weights seeded by the argument, e.g. <c>seed =&gt; ModelZoo.LeNet5(seed: seed)</c>.</summary>
    public required Func<long, nn.Module<Tensor, Tensor>> Architecture { get; set; }

    /// <summary>How the model is trained.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Seed of the weights (the batch order is seeded by <see cref="TrainingOptions.Seed"/>). Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Where the model is trained and deployed. Null: the CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>The input box of the trained classifier (and of its training data). Default [0, 1].</summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    /// <inheritdoc />
    public override ModelRecipe Copy()
    {
        var copy = (ModelRecipe)MemberwiseClone();
        copy.Training = Training?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Architecture is null) throw new ArgumentException("Architecture must be set: a function from a seed to a fresh model.", nameof(Architecture));
        if (Training is null) throw new ArgumentException("Training must be set.", nameof(Training));
        Training = Training.Validated();
        if (!(Bounds.Lower < Bounds.Upper)) throw new ArgumentException($"Bounds must have lower < upper; got {Bounds}.", nameof(Bounds));
        Device ??= CPU;
    }

    /// <summary>
    /// A fresh module with weights seeded by <see cref="Seed"/> + <paramref name="seedOffset"/>, on <see cref="Device"/>.
    /// Creation is serialised across the process (the zoo's factories seed TorchSharp's global generator), so recipes
    /// used on several threads at once give the weights their seeds give.
    /// </summary>
    /// <exception cref="InvalidOperationException">The architecture returned null or a module without parameters.</exception>
    public nn.Module<Tensor, Tensor> Create(long seedOffset = 0)
    {
        nn.Module<Tensor, Tensor>? created;
        lock (CreationGate) created = Architecture(unchecked(Seed + seedOffset));
        var module = created ?? throw new InvalidOperationException($"{nameof(Architecture)} returned null.");
        if (!module.parameters().Any())
        {
            module.Dispose();
            throw new InvalidOperationException($"{nameof(Architecture)} returned a model without parameters.");
        }
        return module.to(Device ?? CPU);
    }

    /// <summary>
    /// Creates a module (seed <see cref="Seed"/> + <paramref name="seedOffset"/>), trains it on <paramref name="train"/>
    /// with <paramref name="step"/> (plain cross-entropy when null) and returns it as a classifier that owns it. The
    /// module is disposed if anything fails.
    /// </summary>
    /// <param name="train">Training data inside <see cref="Bounds"/>.</param>
    /// <param name="step">What happens on each mini-batch.</param>
    /// <param name="validation">Optional validation data (reports, early stopping).</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="logger">Receives the trainer's messages.</param>
    /// <param name="seedOffset">Added to <see cref="Seed"/> for the weights (e.g. shadow model k uses k); the batch order follows <see cref="TrainingOptions.Seed"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public TrainedModel Train(LabeledData train, ITrainingStep? step = null, LabeledData? validation = null, IProgress<EpochReport>? progress = null,
        ILogger? logger = null, long seedOffset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        InputChecks.Inputs(train.Features, Bounds, nameof(train));
        var trainer = new Trainer(Training, logger);
        var module = Create(seedOffset);
        try
        {
            var record = trainer.Fit(module, train, validation, step, progress, cancellationToken);
            return new TrainedModel(new TorchClassifier(module, train.ClassCount, Bounds, train.SampleShape, ownsModule: true), record);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
