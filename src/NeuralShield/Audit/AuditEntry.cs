using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Attacks.Inference;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;
using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Audit;

/// <summary>
/// One attack of an audit and how it runs inside one: every attack family has an entry kind that knows its verb, picks
/// a goal the attack supports, and reports in the one result schema (<see cref="AttackRecord"/>). An entry whose attack
/// needs more access than the audit has to a model reports it as skipped.
/// </summary>
public abstract class AuditEntry
{
    /// <summary>Creates an entry for <paramref name="attack"/> with its parameters in a line.</summary>
    protected AuditEntry(IAttack attack, string setting)
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(setting);
        Attack = attack;
        Setting = setting;
        Key = Slug(attack.Descriptor.Name);
        Family = attack.Descriptor.Family switch
        {
            AttackFamily.Evasion => AuditFamily.Evasion,
            AttackFamily.Fooling => AuditFamily.Fooling,
            AttackFamily.Inference => AuditFamily.Membership,
            AttackFamily.Extraction => AuditFamily.Transfer,
            _ => AuditFamily.Poisoning,
        };
    }

    /// <summary>The entry's short name (lower case, e.g. <c>pgd-linf-0.1</c>): what <c>--attacks</c> and gates refer to. Default: the attack's name, slugged.</summary>
    public string Key { get; private set; }

    /// <summary>The audit family the entry belongs to (what <c>--attacks</c> selects by family).</summary>
    public AuditFamily Family { get; }

    /// <summary>The paper's number for the closest setting, in a line (shown beside ours in the report); null when none is quoted.</summary>
    public string? PaperResult { get; private set; }

    /// <summary>Sets <see cref="Key"/> and <see cref="PaperResult"/>; returns this entry (for the catalog's list initialisers).</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or holds white space or a comma.</exception>
    public AuditEntry Named(string key, string? paperResult = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.Any(c => char.IsWhiteSpace(c) || c == ',' || c == '=')) throw new ArgumentException($"An entry key holds no white space, comma or '=' (got '{key}').", nameof(key));
        Key = key.ToLowerInvariant();
        PaperResult = paperResult;
        return this;
    }

    /// <summary>
    /// Whether the entry stays out of the default selection (<see cref="AttackCatalog.Select"/> without a selection) and out
    /// of its family's, and runs only when asked for: by <c>all</c>, its key or a prefix of it. For entries that would make
    /// the default audit much slower.
    /// </summary>
    public bool OnRequest { get; private set; }

    /// <summary>Sets <see cref="OnRequest"/>; returns this entry.</summary>
    public AuditEntry WhenRequested()
    {
        OnRequest = true;
        return this;
    }

    /// <summary>Lower case, letters, digits, '.', and '-' between words.</summary>
    internal static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c == '.' ? c : '-').ToArray();
        return string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The attack.</summary>
    public IAttack Attack { get; }

    /// <summary>Its parameters, in a line.</summary>
    public string Setting { get; }

    private readonly List<Func<AuditTarget, AuditData, string?>> _requirements = [];

    /// <summary>
    /// Adds a requirement checked before the entry runs: <paramref name="check"/> returns why the entry does not apply to
    /// a target and data (the record is then skipped with that reason), or null; returns this entry.
    /// </summary>
    public AuditEntry Requires(Func<AuditTarget, AuditData, string?> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        _requirements.Add(check);
        return this;
    }

    /// <summary>
    /// Runs the attack against <paramref name="target"/>. An entry that does not apply — the attack needs more access
    /// than the audit has, or the entry's own requirements (<see cref="Requires"/>, the family's needs) are not met — is
    /// recorded as skipped with the reason, before anything runs. An exception while it runs is recorded as an error,
    /// with its message (<see cref="AttackRecord.Error"/>), never as skipped; cancellation is rethrown.
    /// </summary>
    public AttackRecord Run(AuditTarget target, AuditData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(data);
        var info = AttackInfo.From(Attack.Descriptor);
        var reason = NotApplicable(target, data);
        AttackRecord record;
        if (reason is not null)
        {
            record = new AttackRecord(target.Name, info, Setting, null, Skipped: reason);
        }
        else
        {
            try
            {
                record = Execute(target, data, info, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                record = new AttackRecord(target.Name, info, Setting, null) { Error = $"{e.GetType().Name}: {e.Message}" };
            }
        }
        return record with { Key = Key, PaperResult = PaperResult };
    }

    /// <summary>Why the entry does not apply to <paramref name="target"/> and <paramref name="data"/>, or null: access, then the family's needs, then <see cref="Requires"/>.</summary>
    internal string? NotApplicable(AuditTarget target, AuditData data)
    {
        var needs = Attack.Descriptor.Access;
        if (needs == ModelAccess.WhiteBox && target.Access != ModelAccess.WhiteBox)
            return "needs white-box access (gradients); the model is a black box";
        if (needs == ModelAccess.TrainingData && (target.Recipe is null || target.TrainingData is null))
            return "needs the target's training data and recipe (the audit retrains the model on poisoned data)";
        return FamilyNeeds(target, data) ?? _requirements.Select(r => r(target, data)).FirstOrDefault(r => r is not null);
    }

    /// <summary>What the entry's family needs beyond access (e.g. the target's training data for membership inference); null when met.</summary>
    private protected virtual string? FamilyNeeds(AuditTarget target, AuditData data) => null;

    /// <summary>Images shown per evasion run in a report.</summary>
    public const int ExampleCount = 6;

    /// <summary>The family's run, once the access has been checked.</summary>
    protected abstract AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken);

    /// <summary>An entry for any evasion attack: untargeted where it supports that, otherwise targeted to (y + 1) mod C.</summary>
    public static AuditEntry Evasion<TModel>(IEvasionAttack<TModel> attack, string setting) where TModel : class, IClassifier =>
        new EvasionEntry<TModel>(attack, setting);

    /// <summary>An entry for a fooling attack: one synthesised input per class.</summary>
    public static AuditEntry Fooling<TModel>(IFoolingAttack<TModel> attack, string setting) where TModel : class, IClassifier =>
        new FoolingEntry<TModel>(attack, setting);

    /// <summary>An entry for a universal perturbation: fit on the attacker's data, applied to the test data with one addition.</summary>
    public static AuditEntry Universal(UniversalPerturbation fitter, int fittingSamples, string setting) =>
        new UniversalEntry(fitter, fittingSamples, setting);

    /// <summary>
    /// An entry for an extraction attack: extract from <paramref name="seeds"/> of the attacker's samples (a seeded draw)
    /// within <paramref name="budget"/>, then craft <paramref name="transfer"/> on the substitute (untargeted) and judge it
    /// on the target.
    /// </summary>
    public static AuditEntry Extraction<TResult>(IExtractionAttack<TResult> attack, QueryBudget budget, int seeds,
        IEvasionAttack<IDifferentiableClassifier> transfer, string setting) where TResult : IExtractedModel
    {
        ArgumentNullException.ThrowIfNull(transfer);
        Guard.Positive(seeds, nameof(seeds));
        if (budget.MaxQueries < seeds) throw new ArgumentOutOfRangeException(nameof(budget), budget.MaxQueries, $"The budget must cover the {seeds} seeds.");
        return new ExtractionEntry<TResult>(attack, budget, seeds, transfer, setting);
    }

    private sealed class ExtractionEntry<TResult>(IExtractionAttack<TResult> attack, QueryBudget budget, int seeds,
        IEvasionAttack<IDifferentiableClassifier> transfer, string setting) : AuditEntry(attack, setting) where TResult : IExtractedModel
    {
        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            using var shuffled = data.AttackerData.Shuffle(data.Seed);
            using var seedData = shuffled.Take(Math.Min(seeds, shuffled.Count));
            using var result = attack.Extract(target.Model, seedData.Features, budget, null, cancellationToken);
            var substitute = result.Substitute;
            var test = data.Test;
            var outcome = ExtractionEvaluation.Evaluate(substitute, target.Model, test, transfer, data.BatchSize, cancellationToken);
            var transferred = outcome.Transfer;
            var metrics = new Metrics.ExtractionMetrics(seedData.Count, result.OracleQueries, budget.MaxQueries, test.Count, outcome.SubstituteAccuracy,
                outcome.Agreement, transferred.SuccessRate, watch.Elapsed);
            var sources = new List<(string Name, IDifferentiableClassifier Model)> { ("substitute", substitute) };
            if (target.Model is IDifferentiableClassifier whiteBox) sources.Add((target.Name, whiteBox));
            var judges = new (string Name, IClassifier Model)[] { (target.Name, target.Model), ("substitute", substitute) };
            var matrix = new List<TransferCell>();
            foreach (var (sourceName, source) in sources)
                foreach (var (judgeName, judge) in judges)
                    matrix.Add(new TransferCell(sourceName, judgeName, sourceName == "substitute" && judgeName == target.Name
                        ? transferred.SuccessRate
                        : TransferEvaluation.Transfer(transfer, source, judge, test.Features, test.Labels, data.BatchSize, cancellationToken).SuccessRate));
            return new AttackRecord(target.Name, info, $"{Setting}, then {transfer.Descriptor.Name} from the substitute", "untargeted (transfer)", Extraction: metrics)
            {
                TransferMatrix = matrix,
            };
        }
    }

    /// <summary>
    /// An entry for a membership inference attack, scored on a balanced set of <paramref name="samples"/> members (the
    /// first records of <see cref="AuditTarget.TrainingData"/>) and as many non-members (the first test records).
    /// Skipped when the target's training data are not given, or when they are the attacker's data (the attack would
    /// have seen the members). The attacker knows the output defense: its shadows answer through
    /// <paramref name="defense"/> as the target does (the record says so), unless <paramref name="adaptive"/> is false.
    /// </summary>
    /// <param name="attack">The attack.</param>
    /// <param name="setting">Its parameters, in a line.</param>
    /// <param name="samples">Members (and as many non-members) scored.</param>
    /// <param name="defense">An output defense the target answers through (the attacker queries the defended model); null: none.</param>
    /// <param name="shadows">
    /// Shadows shared by every entry of an audit that names the same instance: trained once per target and reused, seen
    /// through each entry's defense. Null: the attack trains its own (<see cref="IMembershipInferenceAttack.ShadowTraining"/>)
    /// on the attacker's data, or fits without shadows.
    /// </param>
    /// <param name="adaptive">Whether the attacker's shadows answer through the defense (true) or are used as trained (false; needs <paramref name="shadows"/>).</param>
    public static AuditEntry Membership(IMembershipInferenceAttack attack, string setting, int samples = 500,
        IOutputDefense? defense = null, AuditShadows? shadows = null, bool adaptive = true)
    {
        Guard.Positive(samples, nameof(samples));
        if (!adaptive && (defense is null || shadows is null))
            throw new ArgumentException("A non-adaptive membership entry needs a defense and shared shadows (the attacker's view as trained).", nameof(adaptive));
        ArgumentNullException.ThrowIfNull(attack);
        return new MembershipEntry(attack, setting, samples, shadows,
            (evaluation, data, ct) => evaluation.Evaluate(attack, defense, adaptive, data.AttackerData, cancellationToken: ct));
    }

    /// <summary>
    /// An entry for a membership inference attack that learns nothing first (e.g. the label-only gap attack), scored like
    /// <see cref="Membership(IMembershipInferenceAttack, string, int, IOutputDefense?, AuditShadows?, bool)"/>'s.
    /// </summary>
    public static AuditEntry Membership(IMembershipScorer attack, string setting, int samples = 500, IOutputDefense? defense = null)
    {
        Guard.Positive(samples, nameof(samples));
        ArgumentNullException.ThrowIfNull(attack);
        return new MembershipEntry(attack, setting, samples, null, (evaluation, _, ct) => evaluation.Evaluate(attack, defense, ct));
    }

    private sealed class MembershipEntry(IAttack attack, string setting, int samples, AuditShadows? shadows,
        Func<MembershipEvaluation, AuditData, CancellationToken, MembershipRow> evaluate) : AuditEntry(attack, setting)
    {
        private protected override string? FamilyNeeds(AuditTarget target, AuditData data) =>
            target.TrainingData is not { } training
                ? "needs the target's training data (the records whose membership is inferred)"
                : ReferenceEquals(training, data.AttackerData)
                    ? "the attacker's data are the target's training data: no member would be unseen"
                    : null;

        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            using var owned = data.Cache is null ? new AuditRunCache() : null;
            var evaluation = (data.Cache ?? owned!).Membership(target, data, samples, shadows, cancellationToken);
            var row = evaluate(evaluation, data, cancellationToken);
            var n = evaluation.Candidates.MemberCount;
            var how = shadows is null ? "" : $", {shadows.Description}";
            var attacker = row.Adaptive switch
            {
                true => ", adaptive attacker (shadows answer through the defense)",
                false => ", non-adaptive attacker (shadows ignore the defense)",
                null => "",
            };
            return new AttackRecord(target.Name, info, $"{Setting}{how}, {n} members + {n} non-members{attacker}", null, Membership: row.Metrics)
            {
                Defense = row.Defense,
                AdaptiveAttacker = row.Adaptive,
                Roc = row.Roc.OnLogGrid(Math.Min(1e-2, 1.0 / n), 8),
                MembershipByClass = row.Scores.ByClass(evaluation.Candidates.IsMember, evaluation.Candidates.Records.Labels.cpu().data<long>().ToArray()),
            };
        }
    }

    /// <summary>
    /// An entry for AutoAttack's standard ensemble at radius <paramref name="epsilon"/> L∞ (<see cref="AutoAttackEvaluation"/>
    /// with its own settings and batches, seeded from <paramref name="seed"/>) on the test data: the row's robust accuracy is
    /// the ensemble's, the worst case per sample, and its setting names each member's. Square needs images, so on other
    /// inputs the ensemble runs without it (the setting says so). The ensemble reports which samples it broke, not their
    /// adversarial examples: the row has no distances and no images.
    /// </summary>
    internal static AuditEntry AutoAttack(double epsilon, long seed, string setting) => new AutoAttackEntry(epsilon, seed, setting);

    private sealed class AutoAttackEntry(double epsilon, long seed, string setting) : AuditEntry(AutoAttackEvaluation.Attack, setting)
    {
        private protected override string? FamilyNeeds(AuditTarget target, AuditData data) =>
            target.Model is IDifferentiableClassifier ? null : $"needs a {nameof(IDifferentiableClassifier)}";

        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var members = AutoAttackEvaluation.Members(AutoAttackVersion.Standard, epsilon, Norm.LInf, seed);
            var images = data.Test.SampleShape.Length == 3;
            if (!images) members = members.Where(m => m is not SquareAttack).ToArray();
            var report = AutoAttackEvaluation.Evaluate(target.Model, data.Test.Features, data.Test.Labels,
                new AutoAttackOptions { Epsilon = epsilon, Norm = Norm.LInf, Seed = seed, Members = members }, cancellationToken: cancellationToken);
            var metrics = report.AsEvasionMetrics();
            var after = string.Join(", ", report.Rows.Select(r => $"{r.Attack} {r.RobustAccuracy.ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture)}"));
            return new AttackRecord(target.Name, info, $"{Setting}{(images ? "" : ", without Square (needs images)")}; robust after {after}", "untargeted", Evasion: metrics);
        }
    }

    private sealed class EvasionEntry<TModel>(IEvasionAttack<TModel> attack, string setting) : AuditEntry(attack, setting) where TModel : class, IClassifier
    {
        private protected override string? FamilyNeeds(AuditTarget target, AuditData data) => target.Model is TModel ? null : $"needs a {typeof(TModel).Name}";

        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var model = (TModel)target.Model;
            using var scope = NewDisposeScope();
            var untargeted = attack.Descriptor.Goals.HasFlag(GoalSupport.Untargeted);
            var goal = untargeted
                ? AttackGoal.Untargeted(data.Test.Labels)
                : AttackGoal.Targeted((data.Test.Labels + 1).remainder(model.ClassCount));
            using var result = attack.Run(model, data.Test.Features, goal, new RunOptions { BatchSize = data.BatchSize }, cancellationToken);
            var tabular = data.Schema is { } schema
                ? ConstrainedEvasion.Evaluate(model, schema, data.Test.Features, result.Adversarials, goal, ExampleCount, data.BatchSize)
                : null;
            return new AttackRecord(target.Name, info, Setting, untargeted ? "untargeted" : "targeted (y+1 mod C)", Evasion: result.Metrics)
            {
                Examples = tabular is null ? ImageExamples.Adversarial(model, data.Test, result.Adversarials, ExampleCount) : null,
                Tabular = tabular,
            };
        }
    }

    private sealed class FoolingEntry<TModel>(IFoolingAttack<TModel> attack, string setting) : AuditEntry(attack, setting) where TModel : class, IClassifier
    {
        private protected override string? FamilyNeeds(AuditTarget target, AuditData data) => target.Model is TModel ? null : $"needs a {typeof(TModel).Name}";

        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var model = (TModel)target.Model;
            var classes = Enumerable.Range(0, model.ClassCount).ToArray();
            using var result = attack.Generate(model, classes, data.Test.SampleShape, cancellationToken);
            return new AttackRecord(target.Name, info, Setting, "every class once", Fooling: result.Metrics)
            {
                Examples = ImageExamples.Synthesised(result.Images, result.TargetClasses, result.Predictions, result.Confidences),
            };
        }
    }

    private sealed class UniversalEntry(UniversalPerturbation fitter, int fittingSamples, string setting) : AuditEntry(fitter, setting)
    {
        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var model = (IDifferentiableClassifier)target.Model;
            using var fitting = data.AttackerData.Take(Math.Min(fittingSamples, data.AttackerData.Count));
            using var universal = fitter.Fit(model, fitting.Features, cancellationToken);
            using var apply = universal.AsAttack();
            using var result = apply.Run(model, data.Test.Features, AttackGoal.Untargeted(data.Test.Labels), new RunOptions { BatchSize = data.BatchSize }, cancellationToken);
            return new AttackRecord(target.Name, info, $"{Setting}, fit on {fitting.Count} attacker samples ({universal.FittingFoolingRate:P0} fooled there)",
                "untargeted", Evasion: result.Metrics)
            {
                Examples = ImageExamples.Adversarial(model, data.Test, result.Adversarials, ExampleCount),
            };
        }
    }

    /// <summary>
    /// An entry for a poisoning attack's effect on the target: poisons <see cref="AuditTarget.TrainingData"/>, retrains
    /// <see cref="AuditTarget.Recipe"/> on it, and measures the retrained model's clean accuracy on the test data and,
    /// when <paramref name="stamp"/> is given, the share of stamped test samples (of classes other than
    /// <paramref name="targetClass"/>) it assigns to <paramref name="targetClass"/>.
    /// </summary>
    public static AuditEntry Poisoning(IPoisoningAttack<LabeledData, PoisonedData> attack, string setting, Func<Tensor, Tensor>? stamp = null, int targetClass = 0)
    {
        Guard.NonNegative(targetClass, nameof(targetClass));
        return new PoisoningEntry(attack, setting, stamp, targetClass);
    }

    /// <summary>A poisoning entry: the target's recipe retrained on the poisoned training data (in a batch with the run's other poisoning entries where the run's cache can).</summary>
    internal sealed class PoisoningEntry(IPoisoningAttack<LabeledData, PoisonedData> attack, string setting, Func<Tensor, Tensor>? stamp, int targetClass)
        : AuditEntry(attack, setting)
    {
        public IPoisoningAttack<LabeledData, PoisonedData> Poisoner => attack;

        public Func<Tensor, Tensor>? Stamp => stamp;

        public int TargetClass => targetClass;

        protected override AttackRecord Execute(AuditTarget target, AuditData data, AttackInfo info, CancellationToken cancellationToken)
        {
            var (poisoning, outcome) = data.Cache is { } cache ? cache.Poisoning(this, target, data, cancellationToken) : Alone(target, data, cancellationToken);
            var metrics = poisoning with { CleanAccuracy = outcome.Accuracy, AttackSuccessRate = outcome.BackdoorSuccess };
            return new AttackRecord(target.Name, info, Setting, stamp is null ? null : $"backdoor to class {targetClass}") { Poisoning = metrics };
        }

        /// <summary>Poisons the target's training data and retrains its recipe on it, this entry alone.</summary>
        public (PoisoningMetrics Poisoning, PoisoningOutcome Outcome) Alone(AuditTarget target, AuditData data, CancellationToken cancellationToken)
        {
            using var poisoned = attack.Poison(target.TrainingData!, cancellationToken: cancellationToken);
            return (poisoned.Metrics, PoisoningEvaluation.Retrain(target.Recipe!, poisoned.Data, data.Test, stamp, targetClass, data.BatchSize, cancellationToken));
        }
    }
}
