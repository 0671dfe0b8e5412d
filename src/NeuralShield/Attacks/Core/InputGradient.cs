namespace NeuralShield.Attacks.Core;

/// <summary>
/// The one input-gradient computation of the library: one forward pass at a point with autograd on, then the
/// gradient of each objective with respect to that point (the graph is kept between objectives and freed after the
/// last). Works whether or not autograd is on where it is called; the caller's tensors are not modified.
/// </summary>
public static class InputGradient
{
    /// <summary>∇ₓ objective(model.Logits(x)) at <paramref name="x"/>, with the logits there.</summary>
    public static InputGradients Of(IDifferentiableClassifier model, Tensor x, AttackObjective objective)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        return Of(model.Logits, x, [objective]);
    }

    /// <summary>∇ₓ of each objective at <paramref name="x"/> from a single forward pass, with the logits there.</summary>
    public static InputGradients Of(IDifferentiableClassifier model, Tensor x, IReadOnlyList<AttackObjective> objectives)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Of(model.Logits, x, objectives);
    }

    /// <summary>
    /// ∇ of each objective of <paramref name="forward"/>(p) with respect to p at <paramref name="point"/>. The forward
    /// function maps the point to logits and may transform it first (e.g. the logits of clamp(x + v) for a universal
    /// perturbation v); it runs once.
    /// </summary>
    public static InputGradients Of(Func<Tensor, Tensor> forward, Tensor point, IReadOnlyList<AttackObjective> objectives)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count == 0) throw new ArgumentException("At least one objective is needed.", nameof(objectives));
        using var enable = enable_grad();
        using var scope = NewDisposeScope();
        var leaf = point.detach().requires_grad_(true);
        var logits = forward(leaf);
        var gradients = new Tensor[objectives.Count];
        for (var i = 0; i < objectives.Count; i++)
        {
            var value = objectives[i](logits);
            var gradient = autograd.grad([value], [leaf], retain_graph: i < objectives.Count - 1, allow_unused: true)[0];
            gradients[i] = (gradient is null || gradient.IsInvalid ? zeros_like(leaf) : gradient).detach().MoveToOuterDisposeScope();
        }
        return new InputGradients(logits.detach().MoveToOuterDisposeScope(), gradients);
    }

    /// <summary>
    /// The share of samples whose input gradient of the summed cross-entropy is exactly zero in float32: a symptom of
    /// gradient masking (saturated units or softmax), under which gradient attacks have no direction.
    /// </summary>
    public static double ZeroFraction(IDifferentiableClassifier model, Tensor inputs, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        InputChecks.Inputs(inputs, model.Bounds, nameof(inputs));
        using var scope = NewDisposeScope();
        var x = inputs.to(model.Device).to_type(ScalarType.Float32);
        var y = labels.to(model.Device).to_type(ScalarType.Int64);
        using var g = InputGradient.Of(model, x, logits => Objectives.CrossEntropy(logits, y, targeted: false));
        return PerSample.Norms(g.Gradient, Norm.LInf).eq(0).to_type(ScalarType.Float64).mean().item<double>();
    }
}
