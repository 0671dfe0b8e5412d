namespace NeuralShield.Cli.Tests;

public class ClusterCommandTests
{
    [Fact]
    public void ClusterIsAnOptionOfMembershipOnly()
    {
        var (code, output, errors) = InProcess.Run("reproduce", "fgsm", "--cluster", "127.0.0.1:30000");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("--cluster applies only to membership, not to fgsm.", Assert.Single(errors));
    }

    [Theory]
    [InlineData("not-an-endpoint")]
    [InlineData("127.0.0.1")]
    [InlineData(",")]
    public void AGatewayThatIsNotHostAndPortIsOneLine(string gateways)
    {
        var (code, _, errors) = InProcess.Run("shadows", "--cluster", gateways, "--count", "2", "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("--cluster", Assert.Single(errors));
    }

    [Fact]
    public void AShortKeyIsRefusedNamingItsLength()
    {
        using var folder = new TempFolder();
        var key = System.IO.Path.Combine(folder.Path, "key.bin");
        File.WriteAllBytes(key, [1, 2, 3, 4]);
        var (code, _, errors) = InProcess.Run("silo", "manifest", "--key-file", key, "--out", System.IO.Path.Combine(folder.Path, "m.json"));
        Assert.Equal(1, code);
        Assert.Contains("holds 4 bytes; the key needs at least 16", Assert.Single(errors));
    }

    [Fact]
    public void ASiloWithoutItsManifestIsOneLine()
    {
        using var folder = new TempFolder();
        var key = System.IO.Path.Combine(folder.Path, "key.bin");
        File.WriteAllBytes(key, new byte[32]);
        var missing = System.IO.Path.Combine(folder.Path, "missing.json");
        var (code, _, errors) = InProcess.Run("silo", "--manifest", missing, "--key-file", key);
        Assert.Equal(1, code);
        Assert.Contains("missing.json", Assert.Single(errors));
    }

    [Fact]
    public void SiloNeedsItsManifestAndKey()
    {
        var (code, _, errors) = InProcess.Run("silo");
        Assert.Equal(1, code);
        Assert.Contains("--manifest", Assert.Single(errors));
    }
}
