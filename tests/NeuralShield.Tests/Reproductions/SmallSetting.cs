using NeuralShield.Reports;
using NeuralShield.Reproductions;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// A small setting: how the context is made small, the bound the report must pass (given the context it ran with), and
/// which key lines ("metrics.KEY", "paper.KEY") follow the size (null: none).
/// </summary>
internal sealed record SmallSetting(Func<ReproductionContext, ReproductionContext> Apply, Action<ReproductionReport, ReproductionContext> Check,
    Func<string, bool>? SizeDependent = null)
{
    public bool IsSizeDependent(string key) => SizeDependent?.Invoke(key) ?? false;
}
