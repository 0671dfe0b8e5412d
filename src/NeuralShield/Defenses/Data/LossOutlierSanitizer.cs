using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// Loss-based outlier removal (the loss defense of Steinhardt, Koh, Liang 2017): the points whose labels a model
/// trained on the inspected set finds least plausible — the highest cross-entropy — are removed. The model is the
/// defender's, trained on the (possibly poisoned) set; a model trained briefly, before it memorises the poisoned
/// labels, separates them best.
/// </summary>
public sealed class LossOutlierSanitizer : IDataDefense<SanitizationReport>
{
    private readonly LossSanitizerOptions _options;
    private readonly IDifferentiableClassifier _model;

    /// <summary>Creates the defense over <paramref name="model"/> (not owned).</summary>
    public LossOutlierSanitizer(IDifferentiableClassifier model, LossSanitizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new LossSanitizerOptions()).Validated();
    }

    /// <summary>A copy of the settings.</summary>
    public LossSanitizerOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Loss outlier removal", DefenseKind.Data, Papers.Steinhardt2017, [AttackFamily.Poisoning]);

    /// <inheritdoc />
    public SanitizationReport Inspect(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ClassCount != _model.ClassCount) throw new ArgumentException($"data has {data.ClassCount} classes but the model {_model.ClassCount}.", nameof(data));
        var losses = new double[data.Count];
        var offset = 0;
        using (var _ = no_grad())
        {
            foreach (var (x, y) in data.Batches(1000, device: _model.Device))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var ownedX = x;
                using var ownedY = y;
                var l = nn.functional.cross_entropy(_model.Logits(x), y, reduction: nn.Reduction.None).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                l.CopyTo(losses, offset);
                offset += l.Length;
            }
        }
        var count = (int)Math.Round(_options.RemoveFraction * data.Count, MidpointRounding.AwayFromZero);
        var flagged = Enumerable.Range(0, data.Count).OrderByDescending(i => losses[i]).ThenBy(i => i).Take(count).Select(i => (long)i).ToArray();
        return new SanitizationReport(Descriptor.Name, flagged, Sanitizers.Without(data, flagged), SanitizeAction.Remove, losses);
    }
}
