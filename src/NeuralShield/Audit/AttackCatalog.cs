using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Attacks.Inference;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;

namespace NeuralShield.Audit;

/// <summary>
/// The attacks an audit runs by default: every attack of the library that applies to a classifier, each in a setting
/// sized for an audit (inputs in [0, 1]), with the family's entry kind deciding how it runs. The audit and the CLI
/// enumerate this list; a new attack joins the audit by being added here.
/// </summary>
public static class AttackCatalog
{
    /// <summary>The standard entries, with every stochastic attack seeded from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<AuditEntry> Standard(long seed)
    {
        var fgsmThenPgd = new Cascade<IDifferentiableClassifier>(
            new Fgsm(new FgsmOptions { Epsilon = 0.1 }), new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed }));
        return
        [
            AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.1 }), "eps=0.1"),
            AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.2 }), "eps=0.2"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed }), "eps=0.1 step=0.01 steps=20"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.02, Steps = 20, Seed = seed }), "eps=0.2 step=0.02 steps=20"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 1.0, StepSize = 0.1, Steps = 20, Norm = Norm.L2, Seed = seed }), "eps=1.0 step=0.1 steps=20"),
            AuditEntry.Evasion(fgsmThenPgd, "eps=0.1"),
            AuditEntry.Evasion(new DeepFool(), "overshoot=0.02"),
            AuditEntry.Evasion(new DeepFool(new DeepFoolOptions { Norm = Norm.LInf }), "overshoot=0.02"),
            JsmaEntry(),
            AuditEntry.Universal(new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.2, MaxPasses = 3, BatchSize = 32, Seed = seed }), 500, "xi=0.2 passes=3"),
            AuditEntry.Fooling(new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 200, Seed = seed }), "sign steps 0.01, 200 steps"),
            AuditEntry.Fooling(new EvolutionaryFooling(new EvolutionaryFoolingOptions { Generations = 100, Seed = seed }), "(1+200) elitist, 100 generations"),
            AuditEntry.Extraction(new JacobianSubstitute(new JacobianSubstituteOptions { Seed = seed }), new QueryBudget(6400), 150,
                new Fgsm(new FgsmOptions { Epsilon = 0.3 }), "150 seeds, rho=6, lambda=0.1, MLP 200-200 substitute, budget 6400"),
        ];
    }

    /// <summary>The ε of the PGD (L∞) robustness curve of <see cref="Full"/>.</summary>
    public static IReadOnlyList<double> RobustnessEpsilons { get; } = [0.05, 0.1, 0.2, 0.3];

    /// <summary>The ε at which <see cref="Full"/> runs APGD-CE and APGD-T (AutoAttack's gradient members) beside PGD.</summary>
    private static readonly double[] AutoAttackEpsilons = [0.1, 0.3];

    /// <summary>The poison fractions of the label-flip and backdoor sensitivity curves of <see cref="Full"/>.</summary>
    public static IReadOnlyList<double> PoisonFractions { get; } = [0.02, 0.05, 0.1, 0.2];

    /// <summary>
    /// Every family, at sizes an audit of a small model finishes in minutes on a CPU: evasion (FGSM, a PGD L∞ robustness
    /// curve over <see cref="RobustnessEpsilons"/>, APGD-CE and APGD-T at ε 0.1 and 0.3, AutoAttack at every ε of the curve
    /// (on request: <see cref="AuditEntry.OnRequest"/>), PGD L2, JSMA, DeepFool, Square and HopSkipJump within
    /// <see cref="BlackBoxQueries"/> queries, a universal perturbation), fooling (gradient
    /// ascent, evolutionary), membership inference (shadow models, a loss threshold and LiRA, each without and with two
    /// output defenses: top-1 and rounding to one digit), substitute extraction with transfer, and label-flip and
    /// backdoor sensitivity over <see cref="PoisonFractions"/>. Keys are lower case and unique.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IReadOnlyList<AuditEntry> Full(AuditCatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        var seed = o.Seed;
        var entries = new List<AuditEntry>
        {
        };
        // A robustness curve for each L∞ attack: FGSM and PGD at every ε of RobustnessEpsilons.
        foreach (var eps in RobustnessEpsilons)
            entries.Add(AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = eps }), $"eps={Number(eps)}").Named($"fgsm-{Number(eps)}",
                "Goodfellow et al. 2015: 89.4% error on MNIST (maxout), 99.9% (softmax), eps=0.25"));
        foreach (var eps in RobustnessEpsilons)
            entries.Add(AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = eps, StepSize = eps / 4, Steps = o.PgdSteps, Seed = seed }),
                $"eps={Number(eps)} step={Number(eps / 4)} steps={o.PgdSteps}").Named($"pgd-linf-{Number(eps)}"));
        // AutoAttack's gradient members beside PGD's rows at two ε of the curve (a PGD robust accuracy well above theirs
        // points to gradient masking; Croce and Hein 2020).
        foreach (var eps in AutoAttackEpsilons)
        {
            entries.Add(AuditEntry.Evasion(new Apgd(new ApgdOptions { Epsilon = eps, Seed = seed }), $"eps={Number(eps)}, 100 iterations, CE").Named($"apgd-ce-{Number(eps)}"));
            entries.Add(AuditEntry.Evasion(new Apgd(new ApgdOptions { Epsilon = eps, Loss = Attacks.Core.GradientLoss.Dlr, TargetClasses = 9, Seed = seed }),
                    $"eps={Number(eps)}, 100 iterations, targeted DLR, 9 targets")
                .Requires((t, _) => t.Model.ClassCount >= 10 ? null : "needs 10 classes (9 target classes)")
                .Named($"apgd-t-{Number(eps)}"));
        }
        // AutoAttack's standard ensemble at every ε of the curve: the white-box robust accuracy the field reports (PGD stays
        // as the fast row; a PGD row well above it points to gradient masking). On request only: the four rows make the
        // default digits audit 1.8 times as long (docs/audit.md).
        foreach (var eps in RobustnessEpsilons)
            entries.Add(AuditEntry.AutoAttack(eps, seed, $"eps={Number(eps)}, standard: APGD-CE, APGD-T (9 targets), Square (5,001 queries)")
                .Requires((t, _) => t.Model.ClassCount >= 10 ? null : "needs 10 classes (APGD-T's 9 target classes)")
                .Named($"autoattack-linf-{Number(eps)}", "Croce & Hein 2020: Madry et al.'s MNIST model 88.50% at eps=0.3 (reported 89.62%)")
                .WhenRequested());
        entries.Add(AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 1.0, StepSize = 0.25, Steps = o.PgdSteps, Norm = Norm.L2, Seed = seed }),
            $"eps=1.0 step=0.25 steps={o.PgdSteps}").Named("pgd-l2-1.0"));
        entries.Add(JsmaEntry().Named("jsma", "Papernot et al. 2016: 97.1% success on MNIST, 4.02% of features changed"));
        entries.Add(AuditEntry.Evasion(new DeepFool(), "overshoot=0.02").Named("deepfool", "Moosavi-Dezfooli et al. 2016: rho_adv 0.20 (L2) on MNIST LeNet"));
        if (o.Schema is { } schema)
            entries.Add(AuditEntry.Evasion(new ValidRecordSearch(schema), "greedy, at most 3 fields, mutable only").Named("valid-record-search"));
        AddBlackBoxEvasion(entries, o);
        entries.Add(AuditEntry.Universal(new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.2, MaxPasses = 2, BatchSize = 32, Seed = seed }),
            o.UniversalFittingSamples, "xi=0.2 (Linf) passes=2").Named("universal"));
        entries.Add(AuditEntry.Fooling(new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 100, Seed = seed }), "sign steps 0.01, 100 steps")
            .Named("fooling-gradient", "Nguyen et al. 2015: 99.99% confidence on MNIST"));
        entries.Add(AuditEntry.Fooling(new EvolutionaryFooling(new EvolutionaryFoolingOptions { Generations = o.FoolingGenerations, Seed = seed }),
            $"(1+200) elitist, {o.FoolingGenerations} generations").Named("fooling-evolutionary"));
        AddMembership(entries, o);
        entries.Add(AuditEntry.Extraction(new JacobianSubstitute(new JacobianSubstituteOptions { Seed = seed }), new QueryBudget(o.SubstituteBudget), o.SubstituteSeeds,
            new Fgsm(new FgsmOptions { Epsilon = 0.3 }), $"{o.SubstituteSeeds} seeds, rho=6, lambda=0.1, MLP 200-200 substitute, budget {o.SubstituteBudget}")
            .Named("substitute-transfer", "Papernot et al. 2017: 84.24% of FGSM eps=0.3 examples transfer to the MNIST oracle"));
        var trigger = Trigger(o.SampleShape);
        foreach (var fraction in PoisonFractions)
        {
            entries.Add(AuditEntry.Poisoning(new LabelFlipping(new LabelFlipOptions { Fraction = fraction, Seed = seed }), $"fraction={Number(fraction)}, random other class")
                .Named($"label-flip-{Number(fraction)}"));
            entries.Add(AuditEntry.Poisoning(new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 0, Fraction = fraction, Seed = seed }),
                $"fraction={Number(fraction)}, corner trigger, target class 0", trigger.Stamp, 0)
                .Named($"backdoor-{Number(fraction)}"));
        }
        return entries;
    }

    /// <summary>The query budget per sample of the black-box evasion rows: small, to keep the audit's time (the papers use 5,000 and more).</summary>
    public const int BlackBoxQueries = 500;

    /// <summary>
    /// The evasion rows that need no gradients and so run on any model (ONNX, ML.NET): Square (scores, L∞ ε = 0.3, images
    /// only) and HopSkipJump (labels only, L2), each within <see cref="BlackBoxQueries"/> queries per sample; their rows
    /// report the queries sent.
    /// </summary>
    private static void AddBlackBoxEvasion(List<AuditEntry> entries, AuditCatalogOptions o)
    {
        entries.Add(AuditEntry.Evasion(new SquareAttack(new SquareOptions { Epsilon = 0.3, MaxQueries = BlackBoxQueries, Seed = o.Seed }),
                $"eps=0.3 p_init=0.8 budget={BlackBoxQueries}")
            .Requires((_, _) => o.SampleShape.Count == 3 ? null : "needs images [C, H, W]")
            .Named("square-linf-0.3"));
        entries.Add(AuditEntry.Evasion(new HopSkipJump(new HopSkipJumpOptions { MaxQueries = BlackBoxQueries, Seed = o.Seed }), $"L2, labels only, budget={BlackBoxQueries}")
            .Named("hopskipjump-l2"));
    }

    /// <summary>JSMA at the paper's γ, skipped where γ allows no pair iteration on the data's features.</summary>
    private static AuditEntry JsmaEntry()
    {
        var jsma = new Jsma();
        var gamma = jsma.Options.Gamma;
        return AuditEntry.Evasion(jsma, $"gamma={Number(gamma)}").Requires((_, data) => Jsma.IterationBudget(data.Test.FeatureCount, gamma) == 0
            ? $"γ = {Number(gamma)} allows no pair iteration on {data.Test.FeatureCount} features (needs at least {Math.Ceiling(2 / gamma)})"
            : null);
    }

    private static void AddMembership(List<AuditEntry> entries, AuditCatalogOptions o)
    {
        if (o.ShadowRecipe is not { } recipe) return;
        var defenses = new (string Key, IOutputDefense? Defense)[] { ("", null), ("-top1", new TopKOutput(1)), ("-round1", new RoundingOutput(1)) };
        // One shadow set per model, trained once and seen through every defense by the three attacks that share it: random
        // halves of the attacker's data and the candidates (each candidate in half of the shadows: LiRA's online setting).
        // When the attacker's data is named for a training service elsewhere (AttackerDataSource), the service knows only
        // that data, so the pool is that data alone and LiRA scores offline (from the shadows that never saw a candidate).
        var remote = o.AttackerDataSource is not null;
        var shadows = new AuditShadows(new ShadowTrainingOptions
        {
            Recipe = recipe, Count = o.ShadowModels, Sampling = ShadowSampling.RandomHalves, Seed = o.Seed,
            TrainingService = o.TrainingService, PoolSource = o.AttackerDataSource,
        }, CandidatesInPool: !remote);
        var liraVariant = remote ? LiraVariant.Offline : LiraVariant.Online;
        foreach (var (suffix, defense) in defenses)
        {
            entries.Add(AuditEntry.Membership(new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = shadows.Training, Seed = o.Seed }),
                "attack models", o.MembershipSamples, defense, shadows).Named("membership-shadow" + suffix,
                suffix == "" ? "Shokri et al. 2017: precision 0.517 on MNIST (10 classes)" : null));
            entries.Add(AuditEntry.Membership(new ThresholdAttack(new ThresholdAttackOptions { Score = ThresholdScore.Loss }), "loss score, threshold chosen",
                o.MembershipSamples, defense, shadows)
                .Named("membership-loss" + suffix, suffix == "" ? "Yeom et al. 2018: advantage tracks the generalisation gap" : null));
            entries.Add(AuditEntry.Membership(new Lira(new LiraOptions { Shadows = shadows.Training, Variant = liraVariant }), liraVariant == LiraVariant.Online ? "online" : "offline",
                o.MembershipSamples, defense, shadows).Named("membership-lira" + suffix, null));
        }
    }

    /// <summary>A 3×3 (2×2 for images under 16 pixels a side) corner square of ones, for [C, H, W] images, a flat square sample or a row of features.</summary>
    internal static BackdoorTrigger Trigger(IReadOnlyList<long> sampleShape)
    {
        if (sampleShape.Count == 3) return BackdoorTrigger.Square(sampleShape, sampleShape[1] < 16 ? 2 : 3);
        var (height, width) = ImageExamples.Layout(sampleShape);
        var pattern = new float[height * width];
        var mask = new float[pattern.Length];
        var size = height < 16 ? 2 : 3;
        var rows = height == 1 ? (0, 1) : (Math.Max(0, height - 1 - size), height - 1);
        for (var r = rows.Item1; r < rows.Item2; r++)
            for (var c = Math.Max(0, width - 1 - size); c < width - 1; c++)
                pattern[r * width + c] = mask[r * width + c] = 1f;
        return new BackdoorTrigger(sampleShape, pattern, mask);
    }

    private static string Number(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The entries of <paramref name="entries"/> that <paramref name="selection"/> names: a comma-separated list of
    /// family names (<c>evasion</c>, <c>fooling</c>, <c>membership</c>, <c>transfer</c>, <c>poisoning</c>), entry keys
    /// (<c>pgd-linf-0.1</c>) or key prefixes ending in <c>*</c> (<c>pgd-*</c>); <c>all</c> selects everything; null or
    /// blank the default selection, every entry but those run on request (<see cref="AuditEntry.OnRequest"/>: AutoAttack's
    /// <c>autoattack-linf-ε</c> rows), which a family name does not select either.
    /// </summary>
    /// <exception cref="ArgumentException">A name matches neither a family nor an entry; the message names it and lists the keys.</exception>
    public static IReadOnlyList<AuditEntry> Select(IReadOnlyList<AuditEntry> entries, string? selection)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (string.IsNullOrWhiteSpace(selection)) return entries.Any(e => e.OnRequest) ? entries.Where(e => !e.OnRequest).ToArray() : entries;
        if (selection.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return entries;
        var chosen = new HashSet<AuditEntry>();
        foreach (var raw in selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = raw.ToLowerInvariant();
            var matches = Enum.TryParse<AuditFamily>(name, ignoreCase: true, out var family) && Enum.IsDefined(family) && !name.All(char.IsDigit)
                ? entries.Where(e => e.Family == family && !e.OnRequest).ToArray()
                : name.EndsWith('*') ? entries.Where(e => e.Key.StartsWith(name[..^1], StringComparison.Ordinal)).ToArray()
                : entries.Where(e => e.Key == name).ToArray();
            if (matches.Length == 0)
                throw new ArgumentException($"unknown attack '{raw}': use a family ({string.Join(", ", Enum.GetNames<AuditFamily>().Select(n => n.ToLowerInvariant()))}) " +
                                            $"or a key ({string.Join(", ", entries.Select(e => e.Key))}).", nameof(selection));
            chosen.UnionWith(matches);
        }
        return entries.Where(chosen.Contains).ToArray();
    }
}
