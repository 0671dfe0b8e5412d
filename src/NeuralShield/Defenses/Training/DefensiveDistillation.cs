using NeuralShield.Data;
using NeuralShield.Internal;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="DefensiveDistillation"/>.</summary>
public sealed class DefensiveDistillationOptions
{
    /// <summary>The softmax temperature T of training. Papernot et al. use T = 100 on MNIST (their best setting). Default 100.</summary>
    public double Temperature { get; set; } = 100;

    /// <summary>
    /// Makes a fresh model (inputs → logits) with weights seeded by the argument; the teacher and the student
    /// have the same architecture, as in the paper. Required; e.g. <c>seed =&gt; ModelZoo.LeNet5(seed: seed)</c>.
    /// </summary>
    public Func<long, nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

    /// <summary>How the teacher is trained (at temperature T, on the hard labels).</summary>
    public TrainingOptions Teacher { get; set; } = new();

    /// <summary>How the student is trained (at temperature T, on the teacher's soft labels).</summary>
    public TrainingOptions Student { get; set; } = new();

    /// <summary>Seed of the weights: the teacher gets <c>Seed</c>, the student <c>Seed + 1</c>. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Where the models are trained and deployed. Default CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>The input box of the deployed classifier. Default [0, 1].</summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    internal DefensiveDistillationOptions Validated()
    {
        Guard.Positive(Temperature, nameof(Temperature));
        if (ModelFactory is null) throw new ArgumentException("ModelFactory must be set: a function from a seed to a fresh model.", nameof(ModelFactory));
        ArgumentNullException.ThrowIfNull(Teacher, nameof(Teacher));
        ArgumentNullException.ThrowIfNull(Student, nameof(Student));
        var copy = (DefensiveDistillationOptions)MemberwiseClone();
        copy.Teacher = new Trainer(Teacher).Options;
        copy.Student = new Trainer(Student).Options;
        copy.Device = Device ?? CPU;
        return copy;
    }
}

/// <summary>The distilled student deployed at T = 1, with the records of both training runs.</summary>
public sealed class DistillationResult : HardenedModel
{
    internal DistillationResult(TorchClassifier classifier, double temperature, TrainingResult teacher, TrainingResult student)
        : base(classifier, student)
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
/// distilled networks by attacking the logits or dividing them by T; see <see cref="TemperatureRestoredClassifier"/>
/// and <see cref="DefenseEvaluation"/>.
/// </para>
/// </summary>
public sealed class DefensiveDistillation : ITrainingDefense<DistillationResult>
{
    private readonly DefensiveDistillationOptions _options;

    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">T is not a positive finite number, or a training option is out of range.</exception>
    /// <exception cref="ArgumentException">No model factory was given.</exception>
    public DefensiveDistillation(DefensiveDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>The validated settings.</summary>
    public DefensiveDistillationOptions Options => _options;

    /// <summary>Trains the teacher and the student on <paramref name="train"/> and returns the student deployed at T = 1.</summary>
    public DistillationResult Fit(LabeledData train, CancellationToken cancellationToken = default) =>
        Fit(train, null, null, cancellationToken);

    /// <summary>
    /// Trains the teacher and the student, reporting each epoch of both runs to <paramref name="progress"/>
    /// (the teacher's epochs first) and validating on <paramref name="validation"/> when given.
    /// </summary>
    public DistillationResult Fit(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken = default)
    {
        var o = _options;
        DefenseModels.CheckData(train, o.Bounds);
        var device = o.Device!;
        using var teacher = DefenseModels.Create(o.ModelFactory!, o.Seed, device, nameof(o.ModelFactory));
        var teacherRecord = new Trainer(o.Teacher).Fit(teacher, train, validation, new CrossEntropyObjective(o.Temperature), progress, cancellationToken);

        var student = DefenseModels.Create(o.ModelFactory!, o.Seed + 1, device, nameof(o.ModelFactory));
        try
        {
            var objective = SoftLabelCrossEntropyObjective.FromTeacher(teacher, o.Temperature);
            var studentRecord = new Trainer(o.Student).Fit(student, train, validation, objective, progress, cancellationToken);
            return new DistillationResult(DefenseModels.Deploy(student, train, o.Bounds), o.Temperature, teacherRecord, studentRecord);
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }
}
