using System.Globalization;

namespace NeuralShield.Reports;

/// <summary>
/// The setting of each paper number the audit catalog quotes (data set, model family, ε), so that the report shows a
/// paper's number only beside a run in the same setting and otherwise says how the settings differ.
/// </summary>
internal static class PaperSettings
{
    private sealed record Setting(string KeyPrefix, string Dataset, string Model, double? Epsilon);

    private static readonly Setting[] Known =
    [
        new("fgsm-", "MNIST", "maxout network", 0.25),
        new("jsma", "MNIST", "lenet5", null),
        new("deepfool", "MNIST", "lenet5", null),
        new("fooling-gradient", "MNIST", "lenet5", null),
        new("membership-shadow", "MNIST", "cnn", null),
        new("substitute-transfer", "MNIST", "MetaMind's service", 0.3),
    ];

    /// <summary>The paper cell of <paramref name="run"/>: its paper number when the setting matches, else "paper setting differs: …"; empty without one.</summary>
    public static string Cell(AttackRecord run, string dataset)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.PaperResult is not { } paper) return "";
        var setting = Known.FirstOrDefault(s => run.Key is { } k && k.StartsWith(s.KeyPrefix, StringComparison.Ordinal));
        if (setting is null) return paper;
        var differences = new List<string>();
        if (!dataset.StartsWith(setting.Dataset + " ", StringComparison.Ordinal) && dataset != setting.Dataset) differences.Add($"data {setting.Dataset}");
        if (!string.Equals(run.Model, setting.Model, StringComparison.OrdinalIgnoreCase)) differences.Add($"model {setting.Model}");
        var eps = Epsilon(run.Setting);
        if (setting.Epsilon is { } e && eps is { } ours && Math.Abs(ours - e) > 1e-9) differences.Add($"ε = {e.ToString(CultureInfo.InvariantCulture)}");
        return differences.Count == 0 ? paper : "paper setting differs: " + string.Join(", ", differences);
    }

    private static double? Epsilon(string setting)
    {
        var at = setting.IndexOf("eps=", StringComparison.Ordinal);
        if (at < 0) return null;
        var text = new string(setting[(at + 4)..].TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
