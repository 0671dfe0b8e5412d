using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// kNN label sanitization (Paudice, Muñoz-González, Lupu 2018) against label flipping: for every training point, the
/// k nearest other points (Euclidean, in input space or a given representation) vote; when the most common label among
/// them holds at least a share η, the point gets that label. Points whose label changes are flagged. Relabelling is the
/// paper's rule; removing them instead is an option.
/// </summary>
public sealed class KnnLabelSanitizer : IDataDefense<SanitizationReport>
{
    private readonly KnnSanitizerOptions _options;
    private readonly Func<Tensor, Tensor>? _representation;

    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="representation">Maps inputs [N, ...] to features [N, D] (a fresh tensor) in which distances are taken; null: the flattened inputs.</param>
    public KnnLabelSanitizer(KnnSanitizerOptions? options = null, Func<Tensor, Tensor>? representation = null)
    {
        _options = (options ?? new KnnSanitizerOptions()).Validated();
        _representation = representation;
    }

    /// <summary>A copy of the settings.</summary>
    public KnnSanitizerOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("kNN label sanitization", DefenseKind.Data, Papers.Paudice2018, [AttackFamily.Poisoning]);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The data has no more than k points.</exception>
    public SanitizationReport Inspect(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var k = _options.K;
        if (data.Count <= k) throw new ArgumentException($"kNN sanitization with k = {k} needs more than {k} points; got {data.Count}.", nameof(data));
        var labels = data.Labels.cpu().data<long>().ToArray();
        var newLabels = (long[])labels.Clone();
        var scores = new double[data.Count];
        var flagged = new List<long>();
        var removed = new List<long>();
        using (var _ = no_grad())
        using (var outer = NewDisposeScope())
        {
            var features = (_representation is null ? data.Features.flatten(1) : _representation(data.Features)).to_type(ScalarType.Float32);
            var squared = features.square().sum(1);
            var labelTensor = data.Labels.to(features.device);
            for (long start = 0; start < data.Count; start += _options.BlockSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var len = Math.Min(_options.BlockSize, data.Count - start);
                var q = features.narrow(0, start, len);
                var d = squared.narrow(0, start, len).unsqueeze(1) + squared.unsqueeze(0) - 2 * q.matmul(features.t());
                var self = arange(start, start + len, ScalarType.Int64, device: d.device).unsqueeze(1);
                d = d.scatter(1, self, full([len, 1], float.PositiveInfinity, device: d.device));
                var (_, nearest) = d.topk(k, 1, largest: false, sorted: false);
                var votes = labelTensor.index_select(0, nearest.flatten()).reshape(len, k);
                var counts = zeros(len, data.ClassCount, ScalarType.Int64, device: d.device);
                counts.scatter_add_(1, votes, ones_like(votes));
                var (top, winner) = counts.max(1);
                var share = top.to_type(ScalarType.Float64).div(k).cpu().data<double>().ToArray();
                var best = winner.cpu().data<long>().ToArray();
                var own = counts.gather(1, labelTensor.narrow(0, start, len).unsqueeze(1)).squeeze(1).to_type(ScalarType.Float64).div(k).cpu().data<double>().ToArray();
                for (var r = 0; r < len; r++)
                {
                    var i = (int)start + r;
                    scores[i] = 1 - own[r];
                    if (share[r] >= _options.Eta && best[r] != labels[i])
                    {
                        newLabels[i] = best[r];
                        flagged.Add(i);
                    }
                    else if (_options.Action == SanitizeAction.RelabelOrRemove && own[r] < share[r] && own[r] <= _options.MaxOwnShareToRemove)
                    {
                        // Outvoted, but without a majority confident enough to relabel (and with little support for its own label): removed.
                        removed.Add(i);
                        flagged.Add(i);
                    }
                }
            }
        }
        LabeledData cleaned;
        if (_options.Action == SanitizeAction.Remove) cleaned = Sanitizers.Without(data, flagged);
        else
        {
            var relabelled = new LabeledData(data.Features.clone(), tensor(newLabels).to(data.Labels.device), data.ClassCount, data.ClassNames, data.FeatureNames);
            if (removed.Count == 0) cleaned = relabelled;
            else using (relabelled) cleaned = Sanitizers.Without(relabelled, removed);
        }
        return new SanitizationReport(Descriptor.Name, flagged, cleaned, _options.Action, scores, _options.Action == SanitizeAction.RelabelOrRemove ? removed : null);
    }
}
