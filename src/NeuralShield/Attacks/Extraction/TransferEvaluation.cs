using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks.Extraction;

/// <summary>A model of a transfer evaluation: a column (adversarials are judged on it) and, when it is differentiable, a row.</summary>
/// <param name="Name">Its name in the matrix.</param>
/// <param name="Model">The model; an <see cref="IDifferentiableClassifier"/> also gets a row and a white-box diagonal entry.</param>
public sealed record TransferModel(string Name, IClassifier Model);

/// <summary>A model adversarials are only crafted on (a row without a column), e.g. a substitute trained by <see cref="JacobianSubstitute"/>.</summary>
/// <param name="Name">Its name in the matrix.</param>
/// <param name="Model">The white-box source.</param>
public sealed record TransferSource(string Name, IDifferentiableClassifier Model);

/// <summary>Settings of <see cref="TransferEvaluation.Evaluate"/>.</summary>
public sealed class TransferEvaluationOptions : OptionsBase<TransferEvaluationOptions>
{
    /// <summary>The white-box attack crafted on every row (untargeted, on the true labels). Required.</summary>
    public required IEvasionAttack<IDifferentiableClassifier> Attack { get; set; }

    /// <summary>
    /// An optional black-box attack run on every column directly; it adds a row named "black-box: attack name" whose entry in
    /// column m is that attack's own success on m. Null: no such row.
    /// </summary>
    public IEvasionAttack<IClassifier>? BlackBoxAttack { get; set; }

    /// <summary>How many test samples to attack (the first that qualify). Default 500.</summary>
    public int Samples { get; set; } = 500;

    /// <summary>
    /// Attack only samples that every column classifies correctly (default), so that every entry of the matrix is a
    /// share of correctly classified samples turned into errors by the perturbation.
    /// </summary>
    public bool OnlyCorrectlyClassified { get; set; } = true;

    /// <summary>
    /// The margin of the gradient-masking flag: a model is flagged when another row beats its white-box diagonal by more
    /// than this (absolute success rate). Default 0.1.
    /// </summary>
    public double MaskingMargin { get; set; } = 0.1;

    /// <summary>Samples per attack and model call. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Receives a line as each row starts.</summary>
    public IProgress<string>? Progress { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Attack is null) throw new ArgumentException("Attack must be set.", nameof(Attack));
        Guard.Positive(Samples, nameof(Samples));
        Guard.InRange(MaskingMargin, 0, 1, nameof(MaskingMargin));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}

/// <summary>The gradient-masking verdict on one model of a transfer matrix.</summary>
/// <param name="Model">The model (column).</param>
/// <param name="WhiteBoxSuccess">The white-box attack's success on it (the diagonal); NaN for a black-box model.</param>
/// <param name="BestOtherSuccess">The best success on it of any other row (transferred or black-box).</param>
/// <param name="BestOtherSource">The row that reached <paramref name="BestOtherSuccess"/>.</param>
/// <param name="Flagged">Whether that row beats the white-box attack by more than the margin: the white-box gradient is masked, not the model robust.</param>
public readonly record struct GradientMaskingFlag(string Model, double WhiteBoxSuccess, double BestOtherSuccess, string BestOtherSource, bool Flagged);

/// <summary>
/// Success rates of adversarials crafted on each row and judged on each column: the diagonal is the white-box attack,
/// the rest transfer (or, for the black-box row, a black-box attack on the column itself).
/// </summary>
/// <param name="Rows">Where the adversarials were crafted.</param>
/// <param name="Columns">Where they were judged.</param>
/// <param name="SuccessRates">[row][column] success rates (NaN where a row has no entry).</param>
/// <param name="MaskingFlags">One verdict per column.</param>
/// <param name="Samples">Samples attacked.</param>
/// <param name="Margin">The masking flag's margin.</param>
public sealed record TransferMatrix(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double>> SuccessRates,
    IReadOnlyList<GradientMaskingFlag> MaskingFlags, int Samples, double Margin)
{
    /// <summary>The success of adversarials crafted on <paramref name="from"/> and judged on <paramref name="to"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such row or column.</exception>
    public double this[string from, string to]
    {
        get
        {
            var r = Index(Rows, from, "row");
            var c = Index(Columns, to, "column");
            return SuccessRates[r][c];
        }
    }

    /// <summary>Whether the model named <paramref name="model"/> is flagged for gradient masking.</summary>
    public bool IsFlagged(string model) => MaskingFlags[Index(Columns, model, "column")].Flagged;

    /// <summary>The entries as flat keys "<paramref name="prefix"/>.&lt;from&gt;.&lt;to&gt;" (what a report's metrics hold).</summary>
    public IReadOnlyDictionary<string, double> Flatten(string prefix = "matrix")
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var r = 0; r < Rows.Count; r++)
            for (var c = 0; c < Columns.Count; c++)
                values[$"{prefix}.{Rows[r]}.{Columns[c]}"] = SuccessRates[r][c];
        return values;
    }

    private static int Index(IReadOnlyList<string> names, string name, string what)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        throw new KeyNotFoundException($"No {what} named '{name}'; the {what}s are {string.Join(", ", names)}.");
    }
}

/// <summary>
/// Transferability of adversarial examples (Szegedy et al. 2014; Papernot et al., AsiaCCS 2017, arXiv 1602.02697): craft
/// with an attack on each model of a set, judge on each. A defense that only masks its gradients (defensive distillation,
/// saturation) resists the white-box attack on itself but not adversarials crafted on another model, so a transferred
/// (or black-box) attack that beats the white-box one on the same model raises the gradient-masking flag
/// (Carlini et al., "On Evaluating Adversarial Robustness", 2019, §4.3).
/// </summary>
public static class TransferEvaluation
{
    /// <summary>The row name of the black-box attack.</summary>
    public static string BlackBoxRow(IAttack attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        return "black-box: " + attack.Descriptor.Name;
    }

    /// <summary>
    /// The transfer matrix over <paramref name="models"/> (rows for the differentiable ones, a column each) and
    /// <paramref name="substitutes"/> (rows only), on the first qualifying samples of <paramref name="test"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No model, duplicate names, class counts that disagree, or no sample qualifies.</exception>
    public static TransferMatrix Evaluate(IReadOnlyList<TransferModel> models, IReadOnlyList<TransferSource>? substitutes, LabeledData test,
        TransferEvaluationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        substitutes ??= [];
        if (models.Count == 0) throw new ArgumentException("At least one model is needed.", nameof(models));
        var names = models.Select(m => m.Name).Concat(substitutes.Select(s => s.Name)).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException($"Model and substitute names must be distinct; got {string.Join(", ", names)}.", nameof(models));
        foreach (var m in models.Select(m => m.Model).Concat(substitutes.Select(s => (IClassifier)s.Model)))
            if (m.ClassCount != test.ClassCount)
                throw new ArgumentException($"Every model must have the test data's {test.ClassCount} classes; one has {m.ClassCount}.", nameof(models));
        cancellationToken.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        var (x, y, count) = Select(models, test, o);
        var goal = AttackGoal.Untargeted(y);
        var columns = models.Select(m => m.Name).ToList();
        var rows = new List<string>();
        var rates = new List<IReadOnlyList<double>>();

        var sources = models.Where(m => m.Model is IDifferentiableClassifier).Select(m => (m.Name, Model: (IDifferentiableClassifier)m.Model))
            .Concat(substitutes.Select(s => (s.Name, s.Model)));
        foreach (var (name, source) in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            o.Progress?.Report($"{o.Attack.Descriptor.Name} crafted on {name}");
            using var rowScope = NewDisposeScope();
            using var crafted = o.Attack.Run(source, x, goal, new RunOptions { BatchSize = o.BatchSize }, cancellationToken);
            rows.Add(name);
            rates.Add(models.Select(m => Judge(m.Model, crafted.Adversarials, goal, o.BatchSize)).ToArray());
        }
        if (o.BlackBoxAttack is { } blackBox)
        {
            var row = new double[models.Count];
            for (var c = 0; c < models.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                o.Progress?.Report($"{blackBox.Descriptor.Name} on {models[c].Name}");
                using var result = blackBox.Run(models[c].Model, x, goal, new RunOptions { BatchSize = o.BatchSize }, cancellationToken);
                row[c] = result.Metrics.SuccessRate;
            }
            rows.Add(BlackBoxRow(blackBox));
            rates.Add(row);
        }

        var flags = new List<GradientMaskingFlag>();
        for (var c = 0; c < columns.Count; c++)
        {
            var diagonal = rows.IndexOf(columns[c]);
            var white = diagonal >= 0 ? rates[diagonal][c] : double.NaN;
            var best = (Rate: double.NaN, Row: "");
            for (var r = 0; r < rows.Count; r++)
                if (r != diagonal && (double.IsNaN(best.Rate) || rates[r][c] > best.Rate)) best = (rates[r][c], rows[r]);
            var flagged = diagonal >= 0 && !double.IsNaN(best.Rate) && best.Rate > white + o.MaskingMargin;
            flags.Add(new GradientMaskingFlag(columns[c], white, best.Rate, best.Row, flagged));
        }
        return new TransferMatrix(rows, columns, rates, flags, count, o.MaskingMargin);
    }

    /// <summary>
    /// Crafts with <paramref name="attack"/> on <paramref name="source"/> (untargeted, true <paramref name="labels"/>) and
    /// judges the adversarials on <paramref name="target"/>: the success rate is the share of samples the target
    /// misclassifies after the attack (as the paper counts it, whether or not it classified the clean sample correctly).
    /// The queries are the target's (one per sample).
    /// </summary>
    public static EvasionMetrics Transfer(IEvasionAttack<IDifferentiableClassifier> attack, IDifferentiableClassifier source, IClassifier target,
        Tensor inputs, Tensor labels, int batchSize = 512, CancellationToken cancellationToken = default) =>
        TransferPerSample(attack, source, target, inputs, labels, batchSize, cancellationToken).Metrics;

    /// <summary><see cref="Transfer"/>, with whether the target misclassifies each sample's adversarial.</summary>
    internal static (EvasionMetrics Metrics, bool[] Success) TransferPerSample(IEvasionAttack<IDifferentiableClassifier> attack, IDifferentiableClassifier source,
        IClassifier target, Tensor inputs, Tensor labels, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Guard.Positive(batchSize, nameof(batchSize));
        InputChecks.Inputs(inputs, target.Bounds, nameof(inputs));
        if (target.ClassCount != source.ClassCount)
            throw new ArgumentException($"The source has {source.ClassCount} classes, the target {target.ClassCount}.", nameof(target));
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var goal = AttackGoal.Untargeted(labels);
        using var crafted = attack.Run(source, inputs, goal, new RunOptions { BatchSize = batchSize }, cancellationToken);
        var adversarials = crafted.Adversarials.to(target.Device);
        var success = goal.IsSuccess(target.Predict(adversarials, batchSize).to(goal.Labels.device));
        var metrics = EvasionMetrics.Of(adversarials, inputs.to(target.Device).to_type(ScalarType.Float32), success.to(target.Device), inputs.shape[0], watch.Elapsed);
        return (metrics, success.cpu().data<bool>().ToArray());
    }

    private static double Judge(IClassifier model, Tensor adversarials, AttackGoal goal, int batchSize)
    {
        using var scope = NewDisposeScope();
        var predicted = model.Predict(adversarials.to(model.Device), batchSize).to(goal.Labels.device);
        return goal.IsSuccess(predicted).to_type(ScalarType.Float64).mean().item<double>();
    }

    private static (Tensor X, Tensor Y, int Count) Select(IReadOnlyList<TransferModel> models, LabeledData test, TransferEvaluationOptions o)
    {
        if (!o.OnlyCorrectlyClassified)
        {
            var n = Math.Min(o.Samples, test.Count);
            return (test.Features.narrow(0, 0, n), test.Labels.narrow(0, 0, n), n);
        }
        var chosen = new List<long>();
        var batch = Math.Max(o.Samples, 256);
        for (var start = 0; start < test.Count && chosen.Count < o.Samples; start += batch)
        {
            using var scope = NewDisposeScope();
            var len = Math.Min(batch, test.Count - start);
            var xs = test.Features.narrow(0, start, len);
            var ys = test.Labels.narrow(0, start, len);
            var ok = ones(len, dtype: ScalarType.Bool, device: ys.device);
            foreach (var m in models)
                ok = ok.logical_and(m.Model.Predict(xs.to(m.Model.Device), o.BatchSize).to(ys.device).eq(ys));
            foreach (var i in ok.nonzero().view(-1).cpu().data<long>())
            {
                if (chosen.Count == o.Samples) break;
                chosen.Add(start + i);
            }
        }
        if (chosen.Count == 0) throw new ArgumentException("No test sample is classified correctly by every model.", nameof(test));
        var index = tensor(chosen.ToArray(), device: test.Features.device);
        return (test.Features.index_select(0, index), test.Labels.index_select(0, index), chosen.Count);
    }
}
