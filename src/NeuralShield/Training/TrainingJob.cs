namespace NeuralShield.Training;

/// <summary>
/// One model to train: a recipe, its training data and the seed offset of its weights. The model's weights are seeded
/// by <see cref="ModelRecipe.Seed"/> + <see cref="SeedOffset"/> and its batch order by the recipe's
/// <see cref="TrainingOptions.Seed"/>, so a job trains to the same weights wherever and whenever it runs.
/// </summary>
/// <remarks>
/// In process the data travels as a <see cref="LabeledData"/> reference (no copy); the job does not own it and the
/// caller keeps it alive until <see cref="IModelTrainingService.TrainAll"/> returns. A service that trains in other
/// processes sends <see cref="Source"/> (a dataset id and record indices) instead of the tensors, and the recipe by
/// name and settings (its architecture must then be a <see cref="Models.ZooArchitecture"/>'s <c>Create</c>).
/// </remarks>
/// <param name="Name">A name for reports and errors (e.g. "shadow 3").</param>
/// <param name="Recipe">How the model is built and trained.</param>
/// <param name="Data">The training data, inside the recipe's bounds (not owned).</param>
/// <param name="SeedOffset">Added to the recipe's seed for the weights.</param>
/// <param name="Step">What happens on each mini-batch; null: plain cross-entropy.</param>
/// <param name="Source">Where <paramref name="Data"/> comes from (the same records, in order), for services that train elsewhere; null: only in process.</param>
public sealed record TrainingJob(string Name, ModelRecipe Recipe, LabeledData Data, long SeedOffset = 0, ITrainingStep? Step = null, DataReference? Source = null);
