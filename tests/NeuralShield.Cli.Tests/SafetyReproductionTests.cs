using System.Text.Json;

namespace NeuralShield.Cli.Tests;

public class SafetyReproductionTests
{
    private static Dictionary<string, double> Metrics(string file) =>
        JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("metrics").EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble());

    [Fact]
    public void InterruptibilityNeedsNoDataAndRepeatsItselfForASeed()
    {
        var first = Path.GetTempFileName();
        var second = Path.GetTempFileName();
        try
        {
            foreach (var file in new[] { first, second })
            {
                var (code, _, errors) = InProcess.Run("reproduce", "interruptibility", "--samples", "2", "--seed", "3", "--threads", "1", "--json", file);
                Assert.True(code == 0, string.Join("\n", errors));
            }
            var a = Metrics(first);
            var b = Metrics(second);
            a.Remove("seconds");
            b.Remove("seconds");
            Assert.Equal(a, b);
            // Every reported interval brackets its estimate.
            foreach (var (key, value) in a.Where(kv => a.ContainsKey(kv.Key + ".lo95")))
                Assert.InRange(value, a[key + ".lo95"] - 1e-12, a[key + ".hi95"] + 1e-12);
            Assert.Equal(0, a["gridworld.qlearning.greedy_button_rate"]);
            Assert.Equal(1, a["gridworld.sarsa.greedy_button_rate"]);
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public void LearnabilityRefusesAnUnknownCaseAndTakesEpochs()
    {
        var (code, _, errors) = InProcess.Run("reproduce", "learnability", "--variant", "case=rsa");
        Assert.NotEqual(0, code);
        Assert.Contains(errors, e => e.Contains("--variant case must be hmac or lfsr or speck or keyed-transform or csv"));
        var (refused, _, epochErrors) = InProcess.Run("reproduce", "interruptibility", "--epochs", "3");
        Assert.Equal(1, refused);
        Assert.Contains(epochErrors, e => e.Contains("--epochs applies only to") && e.Contains("learnability"));
    }
}
