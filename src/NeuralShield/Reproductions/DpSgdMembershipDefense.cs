using NeuralShield.Defenses.Training;
using NeuralShield.Privacy;

namespace NeuralShield.Reproductions;

/// <summary>
/// DP-SGD (Abadi et al., CCS 2016) as the membership reproduction's training defense (<c>defended.dpsgd.*</c>): the
/// overfit target's recipe trained with per-sample clipping to norm 1 and Gaussian noise calibrated by the RDP
/// accountant to ε = 2 at δ = 1e-5 over the whole training run (its batches as the sampling rate q = B/N, the
/// shuffled-batch caveat of <see cref="LotSampling.Shuffled"/>).
/// </summary>
internal sealed class DpSgdMembershipDefense : IMembershipTrainingDefense
{
    private const double TargetEpsilon = 2.0;
    private const double Delta = 1e-5;
    private const double ClipNorm = 1.0;

    public string Key => "dpsgd";

    public string Description => $"DP-SGD: clip {ClipNorm}, noise for eps = {TargetEpsilon} at delta = {Delta} over the target's training run (q = B/N, shuffled batches)";

    public (ModelRecipe Recipe, ITrainingStep? Step) Configure(ModelRecipe undefended, int trainCount, ReproductionContext context)
    {
        ArgumentNullException.ThrowIfNull(undefended);
        var recipe = undefended.Copy();
        var training = recipe.Training;
        var steps = training.Epochs * (long)Math.Ceiling(trainCount / (double)training.BatchSize);
        var q = Math.Min(1.0, (double)training.BatchSize / trainCount);
        var sigma = RdpAccountant.NoiseMultiplierFor(TargetEpsilon, q, steps, Delta);
        context.Log.WriteLine($"  DP-SGD target: sigma {sigma:F3} for eps {TargetEpsilon} over {steps} steps at q = {q:F4}");
        return (recipe, new DpSgdStep(ClipNorm, sigma, null, context.Seed));
    }
}
