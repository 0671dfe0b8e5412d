using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// Defensive distillation — Papernot, McDaniel, Wu, Jha, Swami, "Distillation as a Defense to Adversarial
/// Perturbations against Deep Neural Networks", IEEE S&amp;P 2016 (arXiv 1511.04508), §IV.
/// <para>
/// Procedure: (1) train a teacher F with softmax at temperature T on the hard labels; (2) label the training set
/// with the teacher's soft outputs F(x) = softmax(Z(x) / T); (3) train a student of the same architecture at the
/// same T on those soft labels (cross-entropy against soft labels); (4) deploy the student at T = 1, i.e. a plain
/// softmax over its logits. The soft labels are computed batch by batch from the teacher during step (3), which
/// is the same as labelling the set first because the teacher is deterministic.
/// </para>
/// <para>
/// Parameters with the paper's MNIST values: T = 100 (the paper sweeps 1–100; JSMA success falls from 95.89%
/// to 0.45% at T = 100), the 9-layer net of its Table I (<see cref="ModelZoo.DistillationCnn"/>), SGD with
/// learning rate 0.1, momentum 0.5, batch 128, 50 epochs.
/// </para>
/// <para>
/// Threat model and caveat: the defense protects against attacks that follow the softmax output's gradient
/// only. Deployed at T = 1, the student's logits are about T times larger than those it was trained with, so
/// the softmax saturates and its gradient underflows to zero in float32: the gradient is masked, not the model
/// robust. Carlini and Wagner ("Defensive Distillation is Not Robust to Adversarial Examples", 2016,
/// arXiv 1607.04311; "Towards Evaluating the Robustness of Neural Networks", arXiv 1608.04644) succeed on
/// distilled networks by attacking the logits or dividing them by T; see <see cref="Attacks.Adaptive.TemperatureRestoredClassifier"/>
/// and <see cref="NeuralShield.Evaluation.DefenseEvaluation"/>.
/// </para>
/// </summary>
/// <param name="options">The settings; validated and copied.</param>
/// <param name="logger">Receives the trainers' messages.</param>
/// <exception cref="ArgumentOutOfRangeException">T is not a positive finite number, or a training option is out of range.</exception>
/// <exception cref="ArgumentException">No recipe was given.</exception>
public sealed class DefensiveDistillation(DefensiveDistillationOptions options, ILogger? logger = null) : TrainingDefense<DefensiveDistillationOptions, DistillationResult>(options, logger)
{
    /// <inheritdoc />
    public override DefenseDescriptor Descriptor => new($"Defensive distillation (T = {Settings.Temperature})", DefenseKind.Training, Papers.Papernot2016Distillation, [AttackFamily.Evasion]);

    /// <inheritdoc />
    protected override ModelRecipe Recipe => Settings.Recipe;

    /// <summary>
    /// Trains the teacher and the student, reporting each epoch of both runs to <paramref name="progress"/> (the
    /// teacher's epochs first), and returns the student deployed at T = 1.
    /// </summary>
    protected override DistillationResult Harden(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Settings;
        var teacherRecipe = o.TeacherTraining is null ? o.Recipe : WithTraining(o.Recipe, o.TeacherTraining);
        using var teacher = Train(teacherRecipe, new CrossEntropyStep(o.Temperature), train, validation, progress, 0, cancellationToken);
        var student = Train(o.Recipe, SoftLabelStep.FromTeacher(teacher.Classifier, o.Temperature), train, validation, progress, 1, cancellationToken);
        return Wrap(student, s => new DistillationResult(s, o.Temperature, teacher.Training));
    }

    private static ModelRecipe WithTraining(ModelRecipe recipe, TrainingOptions training)
    {
        var copy = recipe.Copy();
        copy.Training = training;
        return copy;
    }
}
