namespace NeuralShield.Defenses.Training;

/// <summary>The distilled student deployed at T = 1, with the records of both training runs.</summary>
public sealed class DistillationResult : HardenedModel
{
    internal DistillationResult(TrainedModel student, double temperature, TrainingResult teacher)
        : base(student)
    {
        Temperature = temperature;
        TeacherTraining = teacher;
    }

    /// <summary>The training temperature T (the deployed classifier runs at T = 1, so its logits are about T times larger than at training).</summary>
    public double Temperature { get; }

    /// <summary>The teacher's training record.</summary>
    public TrainingResult TeacherTraining { get; }

    /// <summary>The student's training record (the same as <see cref="HardenedModel.Training"/>).</summary>
    public TrainingResult StudentTraining => Training;
}
