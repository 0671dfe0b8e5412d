using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Audit;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Training;
using NeuralShield.Tests.Attacks.Extraction;

namespace NeuralShield.Tests.Audit;

public class ExtractionEntryTests(DigitsOracleFixture digits) : IClassFixture<DigitsOracleFixture>
{
    [Fact]
    public void AnExtractionEntryReportsQueriesAndTransferInTheOneSchema()
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 3,
            Substitute = new ModelRecipe
            {
                Architecture = s => ModelZoo.Mlp(64, [32], 10, Activation.ReLU, s),
                Training = new TrainingOptions { Epochs = 5, BatchSize = 32, LearningRate = 1e-2 },
            },
        });
        var entry = AuditEntry.Extraction(attack, new QueryBudget(100), 20, new Fgsm(new FgsmOptions { Epsilon = 0.3 }), "test setting");
        var oracle = new CountingOracle(digits.Oracle); // black box: the entry needs labels only
        var record = entry.Run(new AuditTarget("mlp", oracle), new AuditData(digits.Train, digits.Held, Seed: 1, BatchSize: 256), CancellationToken.None);

        Assert.Null(record.Skipped);
        Assert.Equal(AttackFamily.Extraction, record.Attack.Family);
        var m = Assert.IsType<NeuralShield.Metrics.ExtractionMetrics>(record.Extraction);
        Assert.Equal(20, m.SeedCount);
        Assert.Equal(80, m.OracleQueries);
        Assert.Equal(100, m.QueryBudget);
        Assert.Equal(digits.Held.Count, m.SampleCount);
        Assert.InRange(m.TransferSuccessRate, 0, 1);
        Assert.Equal(m.TransferSuccessRate, record.Headline);
        var json = ReportJson.Serialize(record);
        Assert.Contains("transfer_success_rate", json);
    }
}
