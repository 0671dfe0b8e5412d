namespace NeuralShield.Cli.Tests;

/// <summary>The user errors of <c>reproduce autoattack</c>, <c>square</c>, <c>cw</c> and <c>hopskipjump</c>: one line, exit code 1.</summary>
public class AutoAttackCliTests
{
    [Theory]
    [InlineData("distilled", "distillation", "lenet5-distilled-T100-lr0.005-e10-seed3.bin")]
    [InlineData("pgd", "adversarial-training", "lenet5-pgd-eps0.3-k7-w3-e45-seed3.bin")]
    [InlineData("saturated", "saturation", "mlp200x2-sigmoid-saturated-l0.1-e30-seed3.bin")]
    public void AutoAttackWithoutTheCachedModelNamesTheReproductionToRunFirst(string model, string trainer, string file)
    {
        using var cache = new TempFolder();
        var (code, _, errors) = InProcess.Run("reproduce", "autoattack", "--threads", "1", "--samples", "5", "--seed", "3",
            "--data", AuditCommandTests.Shared("data", "mnist"), "--cache", cache.Path, "--variant", $"model={model}");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains($"no cached {model} model", line);
        Assert.Contains(file, line);
        Assert.Contains($"reproduce {trainer}", line);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("many")]
    public void SquareRefusesABudgetThatIsNotAPositiveCount(string budget)
    {
        var (code, _, errors) = InProcess.Run("reproduce", "square", "--threads", "1", "--samples", "5",
            "--data", AuditCommandTests.Shared("data", "mnist"), "--variant", "queries=" + budget);
        Assert.Equal(1, code);
        Assert.Contains("--variant queries must be a positive whole number", Assert.Single(errors));
    }

    [Theory]
    [InlineData("poisoning", "runs=5", "--variant runs must be 4 or 8 or 16; got '5'")]
    [InlineData("jsma", "train=100", "--variant train must be all or 2500 or 5000; got '100'")]
    [InlineData("dpsgd", "train=many", "--variant train must be all or 2500 or 5000; got 'many'")]
    public void ACountVariantOutsideItsChoicesIsOneLineBeforeAnyTraining(string experiment, string variant, string message)
    {
        var cache = Path.Combine(Path.GetTempPath(), "ns-no-cache-" + Guid.NewGuid());
        var (code, _, errors) = InProcess.Run("reproduce", experiment, "--threads", "1", "--samples", "5",
            "--data", AuditCommandTests.Shared("data", "mnist"), "--cache", cache, "--variant", variant);
        Assert.Equal(1, code);
        Assert.Contains(message, Assert.Single(errors));
        // Refused before anything trained: no model reached the (fresh) cache.
        Assert.True(!Directory.Exists(cache) || Directory.GetFiles(cache).Length == 0, "a model was trained before the variant was refused");
    }

    [Fact]
    public void CarliniWagnerWithoutTheCachedModelNamesTheReproductionToRunFirst()
    {
        using var cache = new TempFolder();
        var (code, _, errors) = InProcess.Run("reproduce", "cw", "--threads", "1", "--samples", "5", "--seed", "3",
            "--data", AuditCommandTests.Shared("data", "mnist"), "--cache", cache.Path, "--variant", "model=pgd");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains("no cached pgd model", line);
        Assert.Contains("reproduce adversarial-training", line);
    }

    [Fact]
    public void HopSkipJumpRefusesAnUnknownNorm()
    {
        var (code, _, errors) = InProcess.Run("reproduce", "hopskipjump", "--threads", "1", "--samples", "5",
            "--data", AuditCommandTests.Shared("data", "mnist"), "--variant", "norm=l1");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains("norm", line);
        Assert.Contains("linf", line);
    }
}
