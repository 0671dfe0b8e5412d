namespace NeuralShield.Cli.Tests;

public class DataFolderTests
{
    private static string MakeMnist(TempFolder temp, params string[] parts)
    {
        var dir = temp.Create(parts);
        foreach (var name in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-first10k-images-idx3-ubyte.gz", "train-first10k-labels-idx1-ubyte.gz" })
            File.WriteAllBytes(Path.Combine(dir, name), []);
        return dir;
    }

    [Fact]
    public void SharedDataMnistIsFoundFromASubfolder()
    {
        using var temp = new TempFolder();
        var mnist = MakeMnist(temp, "shared", "data", "mnist");
        var sub = temp.Create("repo", "src", "deep");
        Assert.Equal(mnist, DataFolders.ResolveMnist(null, null, [sub]));
    }

    [Fact]
    public void TheApplicationFolderIsSearchedAfterTheCurrentFolder()
    {
        using var temp = new TempFolder();
        var nothing = temp.Create("elsewhere");
        var mnist = MakeMnist(temp, "app", "shared", "data", "mnist");
        var appBin = temp.Create("app", "bin", "Release");
        Assert.Equal(mnist, DataFolders.ResolveMnist(null, "  ", [nothing, appBin]));
    }

    [Fact]
    public void TheEnvironmentVariableWinsOverTheSearchAndTheOptionWinsOverBoth()
    {
        using var temp = new TempFolder();
        MakeMnist(temp, "shared", "data", "mnist");
        var fromEnv = MakeMnist(temp, "env-mnist");
        var fromOption = MakeMnist(temp, "option-mnist");
        var sub = temp.Create("sub");
        Assert.Equal(fromEnv, DataFolders.ResolveMnist(null, fromEnv, [sub]));
        Assert.Equal(fromOption, DataFolders.ResolveMnist(fromOption, fromEnv, [sub]));
    }

    [Fact]
    public void NothingFoundTellsTheUserToPassData()
    {
        using var temp = new TempFolder();
        var sub = temp.Create("a", "b");
        var e = Assert.Throws<CliUserException>(() => DataFolders.ResolveMnist(null, null, [sub]));
        Assert.Contains("pass --data", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingAndMalformedFoldersAreUserErrors()
    {
        using var temp = new TempFolder();
        var missing = Path.Combine(temp.Path, "missing");
        Assert.Contains("does not exist", Assert.Throws<CliUserException>(() => DataFolders.ResolveMnist(missing, null, [])).Message);
        var empty = temp.Create("empty");
        Assert.Contains("holds no MNIST data set", Assert.Throws<CliUserException>(() => DataFolders.ResolveMnist(null, empty, [])).Message);
    }

    [Fact]
    public void ReproduceWithAMissingDataFolderIsOneLineAndExitCodeOne()
    {
        using var temp = new TempFolder();
        var (code, _, errors) = InProcess.Run("reproduce", "fgsm", "--threads", "1", "--data", Path.Combine(temp.Path, "nope"));
        Assert.Equal(1, code);
        Assert.Contains("--data folder", Assert.Single(errors));
    }

    private static string MakeAdult(TempFolder temp, params string[] parts)
    {
        var dir = temp.Create(parts);
        File.WriteAllBytes(Path.Combine(dir, "adult.data.gz"), []);
        File.WriteAllBytes(Path.Combine(dir, "adult.test"), []);
        return dir;
    }

    [Fact]
    public void AdultIsFoundAboveTheCurrentFolderAndAFolderWithoutItIsRefused()
    {
        using var temp = new TempFolder();
        var adult = MakeAdult(temp, "shared", "data", "adult");
        var sub = temp.Create("repo", "src");
        Assert.Equal(adult, DataFolders.ResolveAdult(null, [sub]));
        Assert.Equal(adult, DataFolders.ResolveAdult(adult, []));
        var mnist = MakeMnist(temp, "only-mnist");
        var e = Assert.Throws<CliUserException>(() => DataFolders.ResolveAdult(mnist, []));
        Assert.Contains("no Adult data set", e.Message);
        using var bare = new TempFolder();
        Assert.Contains("pass --data", Assert.Throws<CliUserException>(() => DataFolders.ResolveAdult(null, [bare.Create("x", "y")])).Message);
    }

    [Fact]
    public void AnExperimentThatReadsEitherTakesAnAdultFolderAsItIs()
    {
        using var temp = new TempFolder();
        var adult = MakeAdult(temp, "adult-here");
        Assert.Equal(adult, DataFolders.Resolve(new DirectoryInfo(adult), NeuralShield.Reproductions.ReproductionData.MnistOrAdult));
        var mnist = MakeMnist(temp, "mnist-here");
        Assert.Equal(mnist, DataFolders.Resolve(new DirectoryInfo(mnist), NeuralShield.Reproductions.ReproductionData.MnistOrAdult));
        Assert.Throws<CliUserException>(() => DataFolders.Resolve(new DirectoryInfo(mnist), NeuralShield.Reproductions.ReproductionData.Adult));
    }
}
