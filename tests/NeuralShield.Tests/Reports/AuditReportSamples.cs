using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>A report with a run of every family, images, ROC points and a transfer matrix: what the HTML page shows.</summary>
internal static class AuditReportSamples
{
    public static ImageExample Pair(int label, int predicted) =>
        new(2, 2, [1f, 0f, 0.5f, 0.25f], label, predicted, 0.75, [0f, 1f, 0.5f, 0.25f], label, 0.99);

    public static AuditReport Full()
    {
        var pgd = new AttackInfo("PGD L∞", AttackFamily.Evasion, ModelAccess.WhiteBox, "Madry et al.");
        var lira = new AttackInfo("LiRA (online)", AttackFamily.Inference, ModelAccess.Probabilities, null);
        var fooling = new AttackInfo("Evolutionary fooling", AttackFamily.Fooling, ModelAccess.Probabilities, null);
        var substitute = new AttackInfo("Jacobian substitute", AttackFamily.Extraction, ModelAccess.Probabilities, null);
        var backdoor = new AttackInfo("BadNets backdoor", AttackFamily.Poisoning, ModelAccess.TrainingData, null);
        RocPoint[] roc = [new(0.001, 0.01, 1), new(0.01, 0.05, 0.5), new(0.1, 0.3, 0.2), new(1, 1, 0)];
        return new AuditReport(DateTimeOffset.UnixEpoch, "toy <data> & more", "cpu", 1,
            [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10)],
            [
                new AttackRecord("mlp", pgd, "eps=0.1", "untargeted", Evasion: new EvasionMetrics(10, 0.4, 1, 0.1, 0.5, 0.1, 0.1, 100, TimeSpan.FromSeconds(1)))
                    { Key = "pgd-linf-0.1", PaperResult = "paper: 3.5%", Examples = [Pair(1, 2), Pair(3, 4)] },
                new AttackRecord("mlp", pgd, "eps=0.3", "untargeted", Evasion: new EvasionMetrics(10, 0.9, 1, 0.1, 0.9, 0.3, 0.1, 100, TimeSpan.FromSeconds(1)))
                    { Key = "pgd-linf-0.3", Examples = [Pair(5, 6)] },
                new AttackRecord("mlp", lira, "online", null, Membership: new MembershipMetrics(5, 5, 0.7, 0.6, 0.6, 0.6, 0, 0.05, 0.01, 0.3))
                    {
                        Key = "membership-lira", Roc = roc,
                        MembershipByClass = new Dictionary<long, MembershipMetrics>
                        {
                            [0] = new(3, 2, 0.6, 0.5, 0.5, 0.5, 0, 0, 0, 0.25),
                            [1] = new(2, 3, 0.9, 0.5, 0.5, 0.5, 0, 0, 0, 0.5),
                        },
                    },
                new AttackRecord("mlp", lira, "online", null, Membership: new MembershipMetrics(5, 5, 0.55, 0.5, 0.5, 0.5, 0, 0.01, 0, 0.1))
                    { Key = "membership-lira-top1", Defense = "Top-1 output", Roc = roc },
                new AttackRecord("mlp", fooling, "3 generations", "every class once", Fooling: new FoolingMetrics(2, 0.5, 0.9, 0.5, 0.5, 2, 20, TimeSpan.Zero))
                    { Key = "fooling-evolutionary", Examples = [new ImageExample(1, 4, [0f, 0.2f, 0.4f, 1f], 0, 0, 0.99), new ImageExample(1, 4, [1f, 1f, 0f, 0f], 1, 1, 0.98)] },
                new AttackRecord("mlp", substitute, "budget 100", "untargeted (transfer)", Extraction: new ExtractionMetrics(10, 100, 100, 10, 0.8, 0.85, 0.6, TimeSpan.Zero))
                    { Key = "substitute-transfer", TransferMatrix = [new("substitute", "mlp", 0.6), new("substitute", "substitute", 1), new("mlp", "mlp", 0.95), new("mlp", "substitute", 0.7)] },
                new AttackRecord("mlp", backdoor, "fraction=0.1", "backdoor to class 0") { Key = "backdoor-0.1", Poisoning = new PoisoningMetrics(5, 0.1, 0.88, 0.97) },
                new AttackRecord("mlp", backdoor, "fraction=0.2", "backdoor to class 0") { Key = "backdoor-0.2", Poisoning = new PoisoningMetrics(10, 0.2, 0.85, 0.99) },
                new AttackRecord("api", pgd, "eps=0.1", null, Skipped: "needs white-box access (gradients)") { Key = "pgd-linf-0.1" },
            ]);
    }
}
