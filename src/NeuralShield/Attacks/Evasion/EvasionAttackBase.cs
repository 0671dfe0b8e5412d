using Microsoft.Extensions.Logging;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The shared part of every evasion attack (Foolbox's sealed <c>__call__</c>): argument checks, float32 inputs on the
/// model's device, batching, a dispose scope per batch, clamping to the model's bounds, the attack's projection, the
/// library's own success check on the model (a non-finite adversarial or a non-finite model output is never a
/// success), L0/L2/L∞ distances, query count, elapsed time, progress and logging. A concrete attack implements only
/// <see cref="Perturb"/> (its math) and, where it has a threat-model ball, <see cref="Project"/>.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public abstract class EvasionAttackBase<TModel> : IEvasionAttack<TModel> where TModel : IClassifier
{
    /// <inheritdoc />
    public abstract AttackDescriptor Descriptor { get; }

    /// <inheritdoc />
    public EvasionResult Run(TModel model, Tensor inputs, AttackGoal goal, RunOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(goal);
        var run = options is null ? RunOptions.Default : options.Validated();
        InputChecks.Inputs(inputs, model.Bounds, nameof(inputs));
        var n = inputs.shape[0];
        goal.Validate(n, model.ClassCount);
        var goals = Descriptor.Goals;
        if (goal.IsTargeted && !goals.HasFlag(GoalSupport.Targeted)) throw new ArgumentException($"{Descriptor.Name} supports only untargeted goals.", nameof(goal));
        if (!goal.IsTargeted && !goals.HasFlag(GoalSupport.Untargeted)) throw new ArgumentException($"{Descriptor.Name} supports only targeted goals.", nameof(goal));
        cancellationToken.ThrowIfCancellationRequested();

        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var x = inputs.detach().to(model.Device).to_type(ScalarType.Float32);
        var onDevice = goal.OnDevice(model.Device);
        var queriesBefore = model.QueryCount;
        var batch = run.BatchSize is { } b ? Math.Min(b, n) : n;
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var len = Math.Min(batch, n - start);
            using var batchScope = NewDisposeScope();
            var xs = len == n ? x : x.narrow(0, start, len);
            var part = len == n ? onDevice : onDevice.Narrow(start, len);
            using (no_grad())
            {
                parts.Add(Candidates(model, xs, part, cancellationToken).MoveToOuterDisposeScope());
            }
            run.Progress?.Report(new RunProgress(start + len, n, watch.Elapsed));
            run.Logger?.LogDebug("{Attack}: {Done}/{Total} samples", Descriptor.Name, start + len, n);
        }
        var candidate = parts.Count == 1 ? parts[0] : cat(parts, 0);
        // A candidate with NaN or ±∞ is no adversarial: the sample keeps its input and cannot count as a success.
        var finite = Finite(candidate);
        var adversarial = PerSampleWhere(finite, candidate, x);
        var queries = model.QueryCount - queriesBefore;
        var predictions = model.Predict(adversarial, (int)batch);
        var success = onDevice.IsSuccess(predictions).logical_and(finite.to(predictions.device));
        var l0 = Distances.L0(adversarial, x);
        var l2 = Distances.L2(adversarial, x);
        var lInf = Distances.LInf(adversarial, x);
        watch.Stop();
        var metrics = EvasionMetrics.Summarise(success, l0, l2, lInf, x[0].numel(), queries, watch.Elapsed);
        run.Logger?.LogInformation("{Attack}: success {Success:P1} on {Count} samples, {Queries} queries, {Seconds:F2} s",
            Descriptor.Name, metrics.SuccessRate, n, queries, watch.Elapsed.TotalSeconds);
        return new EvasionResult(
            adversarial.MoveToOuterDisposeScope(), success.MoveToOuterDisposeScope(), predictions.MoveToOuterDisposeScope(),
            l0.MoveToOuterDisposeScope(), l2.MoveToOuterDisposeScope(), lInf.MoveToOuterDisposeScope(), metrics, checkedByLibrary: true);
    }

    /// <summary>
    /// The adversarials alone [N, ...], for callers that judge them themselves (adversarial training crafts a batch per
    /// training step and reads success from the logits it computes anyway): the attack's perturbation, projection and
    /// clamping as in <see cref="Run"/>, without the value checks of the inputs, the success check, the distances, the
    /// metrics or progress. The inputs must already be valid (a float batch inside the bounds, labels in range).
    /// </summary>
    public Tensor Craft(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(goal);
        if (goal.Labels.shape[0] != inputs.shape[0])
            throw new ArgumentException($"goal has {goal.Labels.shape[0]} labels for {inputs.shape[0]} inputs.", nameof(goal));
        var goals = Descriptor.Goals;
        if (goal.IsTargeted ? !goals.HasFlag(GoalSupport.Targeted) : !goals.HasFlag(GoalSupport.Untargeted))
            throw new ArgumentException($"{Descriptor.Name} does not support {goal} goals.", nameof(goal));
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = inputs.detach().to(model.Device).to_type(ScalarType.Float32);
        var adversarial = Candidates(model, x, goal.OnDevice(model.Device), cancellationToken);
        return PerSampleWhere(Finite(adversarial), adversarial, x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attack's math: adversarial candidates [N, ...] for inputs already on the model's device (float32, inside
    /// the bounds). Runs inside a dispose scope; intermediate tensors need no disposal. Autograd is off on entry;
    /// the core's <see cref="Core.InputGradient"/> enables it where gradients are needed.
    /// </summary>
    protected abstract Tensor Perturb(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken);

    /// <summary>Projects candidates onto the attack's threat-model ball around <paramref name="original"/>; identity by default.</summary>
    protected virtual Tensor Project(Tensor adversarial, Tensor original) => adversarial;

    private static Tensor PerSampleWhere(Tensor mask, Tensor whenTrue, Tensor whenFalse) => Core.PerSample.Where(mask, whenTrue, whenFalse);

    /// <summary>The attack's candidates for float32 inputs on the device, projected onto its ball and clamped into the bounds.</summary>
    private Tensor Candidates(TModel model, Tensor x, AttackGoal goal, CancellationToken cancellationToken)
    {
        var raw = Perturb(model, x, goal, cancellationToken).detach();
        if (!raw.shape.SequenceEqual(x.shape))
            throw new InvalidOperationException($"{GetType().Name} returned shape [{string.Join(", ", raw.shape)}]; expected [{string.Join(", ", x.shape)}].");
        return model.Bounds.Clamp(Project(raw.to_type(ScalarType.Float32), x));
    }

    /// <summary>Per sample [N]: whether every feature of the candidate is finite (a NaN or ±∞ candidate is no adversarial).</summary>
    private static Tensor Finite(Tensor candidates) => candidates.isfinite().flatten(1).all(1);
}
