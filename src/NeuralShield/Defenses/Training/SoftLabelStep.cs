namespace NeuralShield.Defenses.Training;

/// <summary>
/// Cross-entropy against soft labels at softmax temperature T:
/// L = −(1/B) Σ_b Σ_j q_bj · log softmax(z_b / T)_j, where q_b is a probability vector for sample b. With one-hot
/// q it is the ordinary cross-entropy of softmax(z / T). Defensive distillation trains its student with it on the
/// teacher's soft labels q = softmax(Z_teacher(x) / T) (Papernot et al., S&amp;P 2016, arXiv 1511.04508, §IV).
/// </summary>
public sealed class SoftLabelStep : LossStep
{
    private readonly Func<Tensor, Tensor, Tensor> _softLabels;

    /// <summary>Creates the objective.</summary>
    /// <param name="softLabels">
    /// Given a batch's inputs [B, ...] and hard labels [B], returns its soft labels [B, C] (rows of non-negative
    /// numbers summing to 1), without autograd; the objective disposes the returned tensor.
    /// </param>
    /// <param name="temperature">The softmax temperature T of the student (positive).</param>
    public SoftLabelStep(Func<Tensor, Tensor, Tensor> softLabels, double temperature = 1.0)
    {
        ArgumentNullException.ThrowIfNull(softLabels);
        Guard.Positive(temperature, nameof(temperature));
        _softLabels = softLabels;
        Temperature = temperature;
    }

    /// <summary>The softmax temperature T.</summary>
    public double Temperature { get; }

    /// <summary>
    /// The step whose soft labels are a teacher's outputs softmax(Z_teacher(x) / T), computed batch by batch under
    /// <c>no_grad</c>. The teacher is deterministic, so this equals labelling the whole training set once before
    /// training the student; the teacher is not disposed.
    /// </summary>
    public static SoftLabelStep FromTeacher(IDifferentiableClassifier teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        Guard.Positive(temperature, nameof(temperature));
        return new SoftLabelStep((inputs, _) =>
        {
            using var noGrad = no_grad();
            using var logits = teacher.Logits(inputs);
            using var scaled = logits / temperature;
            return scaled.softmax(1);
        }, temperature);
    }

    /// <inheritdoc />
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var targets = _softLabels(inputs, labels);
        var logits = context.Model.forward(inputs);
        return CrossEntropy(logits, targets, Temperature);
    }

    /// <summary>
    /// −(1/B) Σ_b Σ_j q_bj · log softmax(z_b / T)_j for logits <paramref name="logits"/> [B, C] and soft labels
    /// <paramref name="softLabels"/> [B, C]. Differentiable in the logits; the soft labels are treated as constants.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ or are not [B, C].</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor softLabels, double temperature = 1.0)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(softLabels);
        Guard.Positive(temperature, nameof(temperature));
        if (logits.dim() != 2) throw new ArgumentException($"logits must be [B, C]; got [{string.Join(", ", logits.shape)}].", nameof(logits));
        if (!softLabels.shape.SequenceEqual(logits.shape))
            throw new ArgumentException($"softLabels must have the logits' shape [{string.Join(", ", logits.shape)}]; got [{string.Join(", ", softLabels.shape)}].", nameof(softLabels));
        using var scope = NewDisposeScope();
        var scaled = temperature == 1.0 ? logits : logits / temperature;
        var logProbabilities = scaled.log_softmax(1);
        var q = softLabels.detach().to(logits.device).to_type(logProbabilities.dtype);
        return (q * logProbabilities).sum(1).mean().neg().MoveToOuterDisposeScope();
    }
}
