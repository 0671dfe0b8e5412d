using NeuralShield.Audit;
using NeuralShield.Models;
using NeuralShield.Training;

namespace NeuralShield.Tests.Audit;

/// <summary>
/// <see cref="AttackCatalog.Full"/> covers every family with unique keys; <see cref="AttackCatalog.Select"/> picks by
/// family, key or prefix and names an unknown name.
/// </summary>
public class AttackCatalogTests
{
    private static ModelRecipe Recipe() => new() { Architecture = s => ModelZoo.Mlp(64, [8], 10, Activation.ReLU, s), Training = new TrainingOptions { Epochs = 1 } };

    private static IReadOnlyList<AuditEntry> Full(bool membership = true) =>
        AttackCatalog.Full(new AuditCatalogOptions { SampleShape = [64], ShadowRecipe = membership ? Recipe() : null });

    [Fact]
    public void FullCoversEveryFamilyWithUniqueKeys()
    {
        var entries = Full();
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.Equal(Enum.GetValues<AuditFamily>(), entries.Select(e => e.Family).Distinct().Order());
        foreach (var eps in AttackCatalog.RobustnessEpsilons)
            Assert.Contains(entries, e => e.Key == $"pgd-linf-{eps.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        foreach (var key in new[] { "fgsm-0.1", "jsma", "deepfool", "universal", "fooling-gradient", "fooling-evolutionary", "substitute-transfer",
                     "membership-shadow", "membership-loss", "membership-lira", "membership-lira-top1", "membership-shadow-round1", "label-flip-0.1", "backdoor-0.1" })
            Assert.Contains(entries, e => e.Key == key);
        Assert.Equal(2 * AttackCatalog.PoisonFractions.Count, entries.Count(e => e.Family == AuditFamily.Poisoning));
        Assert.DoesNotContain(Full(membership: false), e => e.Family == AuditFamily.Membership);
    }

    [Fact]
    public void SelectPicksFamiliesKeysAndPrefixesInCatalogOrder()
    {
        var entries = Full();
        // The default selection is every entry but AutoAttack's rows, which run on request (all, their key or a prefix), not with their family.
        var autoAttack = AttackCatalog.RobustnessEpsilons.Select(e => $"autoattack-linf-{e.ToString(System.Globalization.CultureInfo.InvariantCulture)}").ToArray();
        Assert.Equal(autoAttack, entries.Where(e => e.OnRequest).Select(e => e.Key));
        Assert.Equal(entries.Where(e => !autoAttack.Contains(e.Key)), AttackCatalog.Select(entries, null));
        Assert.Equal(AttackCatalog.Select(entries, null), AttackCatalog.Select(entries, " "));
        Assert.Same(entries, AttackCatalog.Select(entries, " all "));
        Assert.Equal(autoAttack, AttackCatalog.Select(entries, "autoattack-*").Select(e => e.Key));
        Assert.DoesNotContain(AttackCatalog.Select(entries, "evasion"), e => e.OnRequest);
        Assert.Contains(AttackCatalog.Select(entries, "evasion"), e => e.Key == "pgd-linf-0.1");
        Assert.Equal(["autoattack-linf-0.1"], AttackCatalog.Select(entries, "autoattack-linf-0.1").Select(e => e.Key));
        Assert.All(AttackCatalog.Select(entries, "poisoning"), e => Assert.Equal(AuditFamily.Poisoning, e.Family));
        Assert.Equal(["pgd-linf-0.05", "pgd-linf-0.1", "pgd-linf-0.2", "pgd-linf-0.3", "pgd-l2-1.0"], AttackCatalog.Select(entries, "pgd-*").Select(e => e.Key));
        Assert.Equal(["jsma", "deepfool"], AttackCatalog.Select(entries, "DeepFool, jsma").Select(e => e.Key));
        Assert.Equal(["fgsm-0.1", "substitute-transfer"], AttackCatalog.Select(entries, "transfer,fgsm-0.1,fgsm-0.1").Select(e => e.Key));
    }

    [Theory]
    [InlineData("pgd-linf-0.15")]
    [InlineData("evasion,nonsense")]
    [InlineData("zz-*")]
    public void SelectNamesAnUnknownAttack(string selection)
    {
        var e = Assert.Throws<ArgumentException>(() => AttackCatalog.Select(Full(), selection));
        Assert.Contains($"unknown attack '{selection.Split(',')[^1]}'", e.Message);
        Assert.Contains("pgd-linf-0.1", e.Message);
    }

    [Fact]
    public void EntryKeysAreCheckedAndDefaultToTheAttackName()
    {
        var entry = AuditEntry.Evasion(new NeuralShield.Attacks.Evasion.Fgsm(), "eps=0.3");
        Assert.Equal("fgsm", entry.Key);
        Assert.Throws<ArgumentException>(() => entry.Named("two words"));
        Assert.Throws<ArgumentException>(() => entry.Named("a=b"));
        Assert.Equal("upper", entry.Named("UPPER", "paper").Key);
        Assert.Equal("paper", entry.PaperResult);
    }

    [Theory]
    [InlineData(new long[] { 64 }, 4)]
    [InlineData(new long[] { 1, 28, 28 }, 9)]
    [InlineData(new long[] { 1, 8, 8 }, 4)]
    [InlineData(new long[] { 14 }, 2)]
    public void TheBackdoorTriggerFitsTheSampleShape(long[] shape, int covered) =>
        Assert.Equal(covered, AttackCatalog.Trigger(shape).CoveredValues);

    [Fact]
    public void InvalidCatalogOptionsAreRefusedByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AttackCatalog.Full(new AuditCatalogOptions { SampleShape = [64], SubstituteBudget = 10, SubstituteSeeds = 20 }));
        Assert.Equal("SubstituteBudget", e.ParamName);
        Assert.Throws<ArgumentException>(() => AttackCatalog.Full(new AuditCatalogOptions { SampleShape = [] }));
    }
}
