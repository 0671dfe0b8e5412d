using System.Diagnostics;
using NeuralShield.Internal;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The shared part of every evasion attack: argument checks, device placement, a dispose scope,
/// clamping to the model's bounds, the attack's projection, the library's own success check on the
/// model, L0/L2/L∞ distances, query count and elapsed time. A concrete attack implements only
/// <see cref="Perturb"/> (its math) and, where it has a threat-model ball, <see cref="Project"/>.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public abstract class EvasionAttackBase<TModel> : IEvasionAttack<TModel> where TModel : IClassifier
{
    /// <summary>Whether the attack can pursue a targeted goal.</summary>
    protected virtual bool SupportsTargeted => true;

    /// <summary>Whether the attack can pursue an untargeted goal.</summary>
    protected virtual bool SupportsUntargeted => true;

    /// <inheritdoc />
    public EvasionResult Run(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(goal);
        Guard.Batch(inputs, nameof(inputs));
        var n = inputs.shape[0];
        goal.Validate(n, model.ClassCount);
        if (goal.IsTargeted && !SupportsTargeted) throw new ArgumentException($"{GetType().Name} supports only untargeted goals.", nameof(goal));
        if (!goal.IsTargeted && !SupportsUntargeted) throw new ArgumentException($"{GetType().Name} supports only targeted goals.", nameof(goal));
        if (!model.Bounds.Contains(inputs, 1e-4f))
            throw new ArgumentException($"inputs must lie inside the model's bounds {model.Bounds}.", nameof(inputs));
        cancellationToken.ThrowIfCancellationRequested();

        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var x = inputs.detach().to(model.Device).to_type(ScalarType.Float32);
        var onDevice = goal.OnDevice(model.Device);
        var queriesBefore = model.QueryCount;
        Tensor adversarial;
        using (no_grad())
        {
            var raw = Perturb(model, x, onDevice, cancellationToken).detach();
            adversarial = model.Bounds.Clamp(Project(raw, x));
        }
        var queries = model.QueryCount - queriesBefore;
        var predictions = model.Predict(adversarial);
        var success = onDevice.IsSuccess(predictions);
        var l0 = Distances.L0(adversarial, x);
        var l2 = Distances.L2(adversarial, x);
        var lInf = Distances.LInf(adversarial, x);
        watch.Stop();
        var metrics = Summarise(success, l0, l2, lInf, x, queries, watch.Elapsed);
        return new EvasionResult(
            adversarial.MoveToOuterDisposeScope(), success.MoveToOuterDisposeScope(), predictions.MoveToOuterDisposeScope(),
            l0.MoveToOuterDisposeScope(), l2.MoveToOuterDisposeScope(), lInf.MoveToOuterDisposeScope(), metrics);
    }

    /// <summary>
    /// The attack's math: adversarial candidates [N, ...] for inputs already on the model's device
    /// (float32, inside the bounds). Runs inside a dispose scope; intermediate tensors need no disposal.
    /// Autograd is off on entry; enable it locally where gradients are needed.
    /// </summary>
    protected abstract Tensor Perturb(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken);

    /// <summary>Projects candidates onto the attack's threat-model ball around <paramref name="original"/>; identity by default.</summary>
    protected virtual Tensor Project(Tensor adversarial, Tensor original) => adversarial;

    internal static EvasionMetrics Summarise(Tensor success, Tensor l0, Tensor l2, Tensor lInf, Tensor original, long queries, TimeSpan elapsed)
    {
        var n = (int)success.shape[0];
        var features = (double)original[0].numel();
        var ok = success.to_type(ScalarType.Float32);
        double successes = ok.sum().item<float>();
        double MeanOverSuccess(Tensor d) => successes == 0 ? double.NaN : (d.to_type(ScalarType.Float64) * ok).sum().item<double>() / successes;
        return new EvasionMetrics(
            n, successes / n,
            MeanOverSuccess(l0), MeanOverSuccess(l0) / features, MeanOverSuccess(l2), MeanOverSuccess(lInf),
            l0.to_type(ScalarType.Float64).mean().item<double>() / features, queries, elapsed);
    }
}
