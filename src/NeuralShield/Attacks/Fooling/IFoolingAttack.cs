namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// A fooling-input attack (Nguyen, Yosinski, Clune, CVPR 2015): synthesises inputs that the model assigns
/// to chosen classes with high confidence although they resemble no example of those classes. The model
/// type states the access the attack needs; contravariance lets a black-box attack run wherever a
/// white-box one does.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public interface IFoolingAttack<in TModel> : IAttack where TModel : IClassifier
{
    /// <summary>
    /// Synthesises one input of shape <paramref name="sampleShape"/> per entry of <paramref name="targetClasses"/>
    /// (repeats allowed), all in one batch.
    /// </summary>
    /// <param name="model">The classifier to fool.</param>
    /// <param name="targetClasses">The class each synthesised input should be assigned to; each in [0, C).</param>
    /// <param name="sampleShape">The shape of one input, without the batch dimension (e.g. [1, 28, 28]).</param>
    /// <param name="options">Progress (one report per step or generation) and logger of the run; its batch size is not used.</param>
    /// <param name="cancellationToken">Checked once per step or generation.</param>
    FoolingResult Generate(TModel model, IReadOnlyList<int> targetClasses, IReadOnlyList<long> sampleShape, RunOptions? options, CancellationToken cancellationToken = default);
}
