using NeuralShield.Evaluation;
using NeuralShield.Reports;
using NeuralShield.Defenses.Training;

namespace NeuralShield.Reproductions;

/// <summary>
/// What the defense reproductions share: the cached training of defended models, and the report of a
/// <see cref="DefenseEvaluationReport"/>. Their training knobs come from the command line through <see cref="ReproductionContext"/>.
/// </summary>
internal static class DefenseExperimentSupport
{
    /// <summary>Whether the experiment runs on a CUDA device (larger defaults then).</summary>
    public static bool IsCuda(ReproductionContext context) => context.Device.type == DeviceType.CUDA;

    /// <summary>
    /// Loads the weights of <paramref name="key"/> from the cache into a fresh model of <paramref name="factory"/>, or
    /// runs <paramref name="fit"/> (a training defense) and caches the weights of its classifier.
    /// </summary>
    public static nn.Module<Tensor, Tensor> CachedDefense(ReproductionContext context, string key, Func<long, nn.Module<Tensor, Tensor>> factory,
        Func<HardenedModel> fit, Action<HardenedModel>? describe = null)
    {
        var module = factory(context.Seed).to(context.Device);
        ModelCache.LoadOrTrain(context, key, module, () =>
        {
            using var result = fit();
            describe?.Invoke(result);
            using var state = new WeightSnapshot(result.Classifier.Module);
            ModuleState.Restore(module, state.Values);
        });
        module.eval();
        return module;
    }

    /// <summary>A plain model trained (or loaded from the cache) with cross-entropy; the classifier owns its module.</summary>
    public static TorchClassifier CachedPlain(ReproductionContext context, string key, Func<long, nn.Module<Tensor, Tensor>> factory,
        LabeledData train, TrainingOptions options, CancellationToken cancellationToken) =>
        ModelCache.Train(context, key, new ModelRecipe { Architecture = factory, Training = options, Seed = context.Seed, Device = context.Device }, train, cancellationToken).Classifier;

    /// <summary>Progress that logs each epoch of a defense's training.</summary>
    public static IProgress<EpochReport> Progress(ReproductionContext context, string what) =>
        new SynchronousProgress<EpochReport>(e => context.Log.WriteLine($"  {what} epoch {e.Epoch}: loss {e.TrainLoss:F4} ({e.Elapsed.TotalSeconds:F0} s)"));

    /// <summary>Writes the evaluation's numbers under the issue's metric keys.</summary>
    public static void Record(ReproductionReport report, DefenseEvaluationReport evaluation)
    {
        report.Metrics["clean_accuracy"] = evaluation.DefendedAccuracy;
        report.Metrics["undefended_clean_accuracy"] = evaluation.UndefendedAccuracy;
        report.Metrics["accuracy_drop"] = evaluation.AccuracyDrop;
        report.Metrics["undefended_success_rate"] = evaluation.Undefended.SuccessRate;
        report.Metrics["defended_success_rate"] = evaluation.Defended.SuccessRate;
        report.Metrics["adaptive_success_rate"] = evaluation.Adaptive.SuccessRate;
        report.Metrics["transfer_success_rate"] = evaluation.Transfer.SuccessRate;
        report.Setting["attacked_samples"] = evaluation.AttackedSamples;
        report.Setting["attack_instances"] = evaluation.AttackInstances;
        report.Setting["clean_test_samples"] = evaluation.CleanSamples;
    }

    /// <summary>
    /// The evaluation's four runs as records: the plain attack on <paramref name="undefendedModel"/> and on
    /// <paramref name="defendedModel"/>, the adaptive attack on the defended model (the attacker who knows the defense),
    /// and the attack crafted on the undefended model judged on the defended one.
    /// </summary>
    public static void Records(ReproductionReport report, DefenseEvaluationReport evaluation, DefenseEvaluationOptions options,
        string undefendedModel, string defendedModel, string setting, string? paper = null)
    {
        var goal = evaluation.Goal switch
        {
            EvaluationGoal.Untargeted => "untargeted",
            EvaluationGoal.AllOtherTargets => "targeted (each other class)",
            _ => evaluation.Goal.ToString(),
        };
        var adaptive = options.AdaptiveAttack ?? options.Attack;
        report.Evasion(undefendedModel, options.Attack, setting, goal, evaluation.Undefended);
        report.Evasion(defendedModel, options.Attack, setting, goal, evaluation.Defended, paper, adaptive: false);
        report.Evasion(defendedModel, adaptive, $"{setting}; adaptive{(options.AdaptiveView is null ? "" : ", through the attacker's view of the defense")}", goal,
            evaluation.Adaptive, adaptive: true);
        report.Evasion(defendedModel, options.TransferAttack ?? options.Attack, $"{setting}; crafted on {undefendedModel} (transfer)", $"{goal} (transfer)", evaluation.Transfer);
    }

    /// <summary>Logs the four attack rows.</summary>
    public static void Log(ReproductionContext context, DefenseEvaluationReport e)
    {
        context.Log.WriteLine($"  clean accuracy: undefended {e.UndefendedAccuracy:P2}, defended {e.DefendedAccuracy:P2}");
        foreach (var (name, row) in new[] { ("undefended", e.Undefended), ("defended", e.Defended), ("adaptive", e.Adaptive), ("transfer", e.Transfer) })
            context.Log.WriteLine($"  {name,-10} success {row.SuccessRate:P2}  L0 {row.MeanL0Fraction:P2}  Linf {row.MeanLInf:F3}  ({row.Elapsed.TotalSeconds:F0} s)");
    }
}

/// <summary>A disposable snapshot of a module's state.</summary>
internal sealed class WeightSnapshot(nn.Module module) : IDisposable
{
    public Dictionary<string, Tensor> Values { get; } = ModuleState.Snapshot(module);

    public void Dispose() => ModuleState.Dispose(Values);
}
