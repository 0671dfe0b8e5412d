using Microsoft.Extensions.Logging;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// The shared part of the training defenses: options validated once into a private copy, the training data checked,
/// the models made and trained from the options' <see cref="ModelRecipe"/> (created, trained, disposed on failure),
/// the result wrapped (the model disposed if wrapping fails). A concrete defense implements <see cref="Harden"/>.
/// </summary>
/// <typeparam name="TOptions">The defense's options.</typeparam>
/// <typeparam name="TResult">The hardened model it returns.</typeparam>
public abstract class TrainingDefense<TOptions, TResult> : ITrainingDefense<TResult>
    where TOptions : OptionsBase<TOptions>
    where TResult : HardenedModel
{
    /// <summary>Validates and copies <paramref name="options"/>.</summary>
    protected TrainingDefense(TOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = options.Validated();
        Logger = logger;
    }

    /// <summary>The validated settings (private to the defense).</summary>
    protected TOptions Settings { get; }

    /// <summary>Receives the trainers' messages.</summary>
    protected ILogger? Logger { get; }

    /// <summary>A copy of the validated settings; changing it does not change the defense.</summary>
    public TOptions Options => Settings.Copy();

    /// <summary>The recipe of the defended model (its bounds are the training data's).</summary>
    protected abstract ModelRecipe Recipe { get; }

    /// <inheritdoc />
    public abstract DefenseDescriptor Descriptor { get; }

    /// <inheritdoc />
    public TResult Fit(LabeledData train, LabeledData? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Models.InputChecks.Inputs(train.Features, Recipe.Bounds, nameof(train));
        cancellationToken.ThrowIfCancellationRequested();
        return Harden(train, validation, progress, cancellationToken);
    }

    /// <summary>The defense's procedure: train through <see cref="Train"/> and <see cref="Wrap"/> the result.</summary>
    protected abstract TResult Harden(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken);

    /// <summary>Trains a model of <paramref name="recipe"/> (weights seeded with offset <paramref name="seedOffset"/>) with <paramref name="step"/>.</summary>
    protected TrainedModel Train(ModelRecipe recipe, ITrainingStep step, LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress,
        long seedOffset, CancellationToken cancellationToken) =>
        recipe.Train(train, step, validation, progress, Logger, seedOffset, cancellationToken);

    /// <summary>Wraps <paramref name="model"/> into the result; disposes it if <paramref name="wrap"/> fails.</summary>
    protected static TResult Wrap(TrainedModel model, Func<TrainedModel, TResult> wrap)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(wrap);
        try
        {
            return wrap(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
