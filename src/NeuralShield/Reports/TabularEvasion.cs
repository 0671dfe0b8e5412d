namespace NeuralShield.Reports;

/// <summary>
/// An evasion run on tabular data judged on valid records: the adversarial rows projected onto the data's
/// <see cref="FeatureSchema"/> (immutable columns restored, integers whole, bounds kept, categories swapped) and asked
/// of the model again. Beside the run's own (unconstrained) success rate in <see cref="AttackRecord.Evasion"/>.
/// </summary>
/// <param name="ConstrainedSuccessRate">Share of samples whose valid adversarial record meets the goal.</param>
/// <param name="MeanChangedFields">Fields (columns, a one-hot group counting once) changed per valid adversarial record, over every sample.</param>
/// <param name="MeanChangedFieldsOfSuccesses">The same over the successful valid records; NaN when none succeeds.</param>
/// <param name="Examples">Successful valid records — first those whose class the changes flipped — or the first records when none succeeds, as changed fields.</param>
public sealed record TabularEvasion(double ConstrainedSuccessRate, double MeanChangedFields, double MeanChangedFieldsOfSuccesses, IReadOnlyList<TabularExample> Examples);
