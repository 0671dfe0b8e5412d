using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// Spectral signatures (Tran, Li, Madry 2018): for each class (by label), the learned representations of its points
/// are centred and the top right singular vector v of the centred matrix is found (SVD by MathNet.Numerics); each
/// point's score is its squared projection ((r − r̄)·v)². Poisoned points leave a trace along v, so the highest
/// 1.5·ε·n scores of every class are removed and the model retrained on the rest.
/// </summary>
public sealed class SpectralSignatures : IDataDefense<SanitizationReport>
{
    private readonly SpectralSignatureOptions _options;
    private readonly ITorchModel _model;

    /// <summary>Creates the defense over <paramref name="model"/> (trained on the data to inspect; not owned).</summary>
    public SpectralSignatures(ITorchModel model, SpectralSignatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new SpectralSignatureOptions()).Validated();
    }

    /// <summary>A copy of the settings.</summary>
    public SpectralSignatureOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Spectral signatures", DefenseKind.Data, Papers.Tran2018, [AttackFamily.Poisoning]);

    /// <summary>The outlier score of each row (squared projection on the top right singular vector of the centred rows).</summary>
    public static double[] Scores(IReadOnlyList<double[]> rows)
    {
        var centred = KMeans.Centred(rows);
        var svd = centred.Svd(computeVectors: true);
        var v = svd.VT.Row(0);
        var projection = centred * v;
        return projection.Select(p => p * p).ToArray();
    }

    /// <inheritdoc />
    public SanitizationReport Inspect(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var representations = Sanitizers.Representation(_model, data.Features, _options.LayerFromEnd);
        var rows = Sanitizers.Rows(representations);
        var flagged = new List<long>();
        var scores = new double[data.Count];
        var share = Math.Min(1.0, _options.RemovalFactor * _options.Epsilon);
        foreach (var members in Sanitizers.ByClass(data))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (members.Count < 2) continue;
            var s = Scores(members.Select(i => rows[i]).ToArray());
            for (var j = 0; j < members.Count; j++) scores[members[j]] = s[j];
            var remove = (int)Math.Floor(share * members.Count);
            flagged.AddRange(Enumerable.Range(0, members.Count).OrderByDescending(j => s[j]).ThenBy(j => j).Take(remove).Select(j => (long)members[j]));
        }
        return new SanitizationReport(Descriptor.Name, flagged, Sanitizers.Without(data, flagged), SanitizeAction.Remove, scores);
    }
}
