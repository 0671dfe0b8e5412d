using NeuralShield.Attacks;
using NeuralShield.Reports;

namespace NeuralShield.Evaluation;

/// <summary>
/// Evasion on tabular data judged on records that are valid: the adversarial rows of any evasion attack are projected
/// onto a <see cref="FeatureSchema"/> (<see cref="FeatureSchema.Project"/>: only mutable columns change, integers stay
/// whole, bounds hold, a categorical change is a category swap) and the model is asked again; the goal is checked on its
/// answers. The attack itself searched without the constraints; this is the share of its examples that survive them.
/// </summary>
public static class ConstrainedEvasion
{
    /// <summary>Projects <paramref name="adversarials"/> of <paramref name="inputs"/> and measures them on <paramref name="model"/>.</summary>
    /// <param name="model">The attacked model.</param>
    /// <param name="schema">What a valid record is.</param>
    /// <param name="inputs">The clean rows [N, features].</param>
    /// <param name="adversarials">The attack's rows, same shape.</param>
    /// <param name="goal">The attack's goal (labels of <paramref name="inputs"/>, or targets).</param>
    /// <param name="examples">How many changed records to keep for a report.</param>
    /// <param name="batchSize">Samples per model call.</param>
    /// <exception cref="ArgumentException">The shapes do not match the schema or each other, or the goal's labels do not match.</exception>
    public static TabularEvasion Evaluate(IClassifier model, FeatureSchema schema, Tensor inputs, Tensor adversarials, AttackGoal goal, int examples = 6, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(goal);
        Guard.NonNegative(examples, nameof(examples));
        Guard.Positive(batchSize, nameof(batchSize));
        goal.Validate(inputs.shape[0], model.ClassCount);
        using var scope = NewDisposeScope();
        var valid = schema.Project(inputs, adversarials);
        var predicted = model.Predict(valid, batchSize).cpu();
        var clean = model.Predict(inputs, batchSize).cpu();
        var success = goal.IsSuccess(predicted.to(goal.Labels.device)).cpu().to_type(ScalarType.Bool).data<bool>().ToArray();
        var changed = schema.ChangedColumns(inputs, valid);
        var n = success.Length;
        var successes = Enumerable.Range(0, n).Where(i => success[i]).ToArray();
        var labels = goal.IsTargeted ? null : goal.Labels.cpu().data<long>().ToArray();
        var predictedValues = predicted.data<long>().ToArray();
        var cleanValues = clean.data<long>().ToArray();
        // Successes whose answer the valid record changed first (not the samples already misclassified), then the others.
        var shown = (successes.Length > 0 ? successes : Enumerable.Range(0, n).ToArray())
            .OrderBy(i => predictedValues[i] != cleanValues[i] ? 0 : 1).ThenBy(i => i).Take(examples).ToArray();
        var list = new List<TabularExample>();
        foreach (var i in shown)
        {
            var before = schema.Decode(inputs, i);
            var after = schema.Decode(valid, i);
            var changes = schema.Columns.Select((c, k) => (c.Name, From: before[k], To: after[k])).Where(f => f.From != f.To)
                .Select(f => new FieldChange(f.Name, f.From, f.To)).ToArray();
            list.Add(new TabularExample(labels is null ? -1 : (int)labels[i], (int)cleanValues[i], (int)predictedValues[i], changes));
        }
        return new TabularEvasion(
            n == 0 ? 0 : (double)successes.Length / n,
            n == 0 ? 0 : changed.Average(c => c.Count),
            successes.Length == 0 ? double.NaN : successes.Average(i => changed[i].Count),
            list);
    }
}
