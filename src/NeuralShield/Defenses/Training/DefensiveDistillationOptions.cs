namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="DefensiveDistillation"/>.</summary>
public sealed class DefensiveDistillationOptions : OptionsBase<DefensiveDistillationOptions>
{
    /// <summary>The softmax temperature T of training. Papernot et al. use T = 100 on MNIST (their best setting). Default 100.</summary>
    public double Temperature { get; set; } = 100;

    /// <summary>
    /// The model: architecture (the teacher and the student have the same one, as in the paper), how the student is
    /// trained, the weight seed (the teacher gets <c>Seed</c>, the student <c>Seed + 1</c>), device and bounds. Required.
    /// </summary>
    public required ModelRecipe Recipe { get; set; }

    /// <summary>How the teacher is trained (at temperature T, on the hard labels). Null: as the student (<see cref="ModelRecipe.Training"/>).</summary>
    public TrainingOptions? TeacherTraining { get; set; }

    /// <inheritdoc />
    public override DefensiveDistillationOptions Copy()
    {
        var copy = (DefensiveDistillationOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        copy.TeacherTraining = TeacherTraining?.Copy();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Temperature, nameof(Temperature));
        if (Recipe is null) throw new ArgumentException("Recipe must be set: the architecture, training, seed, device and bounds of the model.", nameof(Recipe));
        Recipe = Recipe.Validated();
        TeacherTraining = TeacherTraining?.Validated();
    }
}
