namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Evasion on tabular data that only ever proposes valid records: a greedy search over the fields a
/// <see cref="FeatureSchema"/> lets an attacker change. Each round tries, for every sample not yet fooled, every single
/// edit of one mutable field — another category of a categorical column (a category swap), or a numeric value moved by
/// each of <see cref="ValidRecordSearchOptions.NumericSteps"/> standard deviations up and down, rounded for an integer
/// column and clamped to its bounds — asks the model about all of them, and keeps the edit that lowers the probability
/// of the true class most (targeted: raises the target's most), while it lowers (raises) it at all; at most
/// <see cref="ValidRecordSearchOptions.MaxChangedFields"/> fields change. Threat model: black box with probabilities.
/// A baseline, not a paper's attack: it measures what the model concedes to small, valid edits of a record, where the
/// box attacks' results judged by <c>Evaluation.ConstrainedEvasion</c> measure what survives projection.
/// </summary>
/// <param name="schema">The records searched over.</param>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class ValidRecordSearch(FeatureSchema schema, ValidRecordSearchOptions? options = null)
    : EvasionAttack<IClassifier, ValidRecordSearchOptions>(options ?? new ValidRecordSearchOptions())
{
    private readonly FeatureSchema _schema = schema ?? throw new ArgumentNullException(nameof(schema));

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Valid-record search", AttackFamily.Evasion, ModelAccess.Probabilities, null, GoalSupport.Both);

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var f = _schema.FeatureCount;
        if (inputs.dim() != 2 || inputs.shape[1] != f)
            throw new ArgumentException($"inputs of shape [{string.Join(", ", inputs.shape)}] are not rows of the schema's {f} features.", nameof(inputs));
        var n = (int)inputs.shape[0];
        using var scope = NewDisposeScope();
        var rows = _schema.Project(inputs, inputs).cpu().data<float>().ToArray();
        var classes = goal.Labels.cpu().data<long>().ToArray();
        var sign = goal.IsTargeted ? -1f : 1f;                     // minimise sign · p(class)
        var score = Score(model, rows, Enumerable.Range(0, n).ToArray(), classes, sign, inputs.device);
        var changed = new HashSet<int>[n];
        for (var i = 0; i < n; i++) changed[i] = [];
        var active = Enumerable.Range(0, n).Where(i => !Met(score[i], sign)).ToList();
        for (var round = 0; round < Settings.MaxChangedFields && active.Count > 0; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var best = new (float Score, int Column, float[]? Row)[n];
            foreach (var i in active) best[i] = (score[i], -1, null);
            var batch = new List<(int Sample, int Column, float[] Row)>();
            void Flush()
            {
                if (batch.Count == 0) return;
                var candidates = batch.SelectMany(b => b.Row).ToArray();
                var scores = Score(model, candidates, batch.Select(b => b.Sample).ToArray(), classes, sign, inputs.device);
                for (var k = 0; k < batch.Count; k++)
                    if (scores[k] < best[batch[k].Sample].Score) best[batch[k].Sample] = (scores[k], batch[k].Column, batch[k].Row);
                batch.Clear();
            }
            foreach (var i in active)
            {
                foreach (var (column, row) in Edits(rows.AsSpan(i * f, f).ToArray(), changed[i]))
                {
                    batch.Add((i, column, row));
                    if (batch.Count >= Settings.CandidateBatchSize) Flush();
                }
            }
            Flush();
            var next = new List<int>();
            foreach (var i in active)
            {
                if (best[i].Row is not { } row) continue;                    // no edit helps: the search stops for this sample
                row.CopyTo(rows.AsSpan(i * f, f));
                score[i] = best[i].Score;
                changed[i].Add(best[i].Column);
                if (!Met(score[i], sign)) next.Add(i);
            }
            active = next;
        }
        return tensor(rows, [n, f]).to(inputs.device).to_type(inputs.dtype).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor Project(Tensor adversarial, Tensor original) => _schema.Project(original, adversarial);

    /// <summary>A probability below 0.5 of the true class, or above 0.5 of the target, is taken as met here; the library's own check decides.</summary>
    private static bool Met(float score, float sign) => sign > 0 ? score < 0.5f : -score > 0.5f;

    /// <summary>Every record one edit of one mutable field away from <paramref name="row"/> (a field already changed may change again; others count against the budget).</summary>
    private IEnumerable<(int Column, float[] Row)> Edits(float[] row, HashSet<int> changed)
    {
        var budgetLeft = changed.Count < Settings.MaxChangedFields;
        for (var c = 0; c < _schema.Columns.Count; c++)
        {
            var column = _schema.Columns[c];
            if (column.IsImmutable || (!budgetLeft && !changed.Contains(c))) continue;
            if (column.IsCategorical)
            {
                for (var k = 0; k < column.Width; k++)
                {
                    if (row[column.Offset + k] == 1f) continue;
                    var edit = (float[])row.Clone();
                    Array.Clear(edit, column.Offset, column.Width);
                    edit[column.Offset + k] = 1f;
                    yield return (c, edit);
                }
                continue;
            }
            var raw = FeatureSchema.Raw(column, row[column.Offset]);
            var seen = new HashSet<double> { raw };
            foreach (var step in Settings.NumericSteps)
            {
                foreach (var direction in new[] { -1.0, 1.0 })
                {
                    var value = FeatureSchema.Valid(column, raw + direction * step * column.Std);
                    if (!seen.Add(value)) continue;
                    var edit = (float[])row.Clone();
                    edit[column.Offset] = FeatureSchema.Encode(column, value);
                    yield return (c, edit);
                }
            }
        }
    }

    /// <summary>sign · p(class of the sample) for each row of <paramref name="rows"/> (rows of the schema's features).</summary>
    private float[] Score(IClassifier model, float[] rows, int[] samples, long[] classes, float sign, Device device)
    {
        using var scope = NewDisposeScope();
        var x = tensor(rows, [samples.Length, _schema.FeatureCount]).to(device);
        var p = model.PredictProbabilities(x).cpu();
        var idx = tensor(samples.Select(s => classes[s]).ToArray(), [samples.Length, 1]);
        var picked = p.gather(1, idx).squeeze(1).data<float>().ToArray();
        for (var i = 0; i < picked.Length; i++) picked[i] *= sign;
        return picked;
    }
}
