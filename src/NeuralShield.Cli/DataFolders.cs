using NeuralShield.Data;

namespace NeuralShield.Cli;

/// <summary>
/// Finds the data folders the commands read: an explicit option first, then an environment variable, then
/// <c>shared/data/&lt;name&gt;</c> in the current folder or any folder above it, then the same above the application's
/// own folder.
/// </summary>
internal static class DataFolders
{
    /// <summary>The Adult folder looked for above the current and the application's folder.</summary>
    public static string AdultRelativePath { get; } = Path.Combine("shared", "data", "adult");

    /// <summary>
    /// The data folder of an experiment that reads <paramref name="kind"/>: MNIST as <see cref="ResolveMnist(DirectoryInfo?)"/>;
    /// Adult from <c>--data</c> or <c>shared/data/adult</c> above; either, when the experiment recognises the folder
    /// (<c>--data</c> must then hold one of them; the default is MNIST).
    /// </summary>
    /// <exception cref="CliUserException">The folder holds none of the expected files, or none was found.</exception>
    public static string Resolve(DirectoryInfo? option, NeuralShield.Reproductions.ReproductionData kind) => kind switch
    {
        NeuralShield.Reproductions.ReproductionData.Mnist => ResolveMnist(option),
        NeuralShield.Reproductions.ReproductionData.Adult => ResolveAdult(option?.FullName, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]),
        NeuralShield.Reproductions.ReproductionData.None => "",
        _ => option is not null && HasAdult(option.FullName)
            ? option.FullName
            : ResolveMnist(option),
    };

    /// <summary>The testable core of the Adult lookup.</summary>
    internal static string ResolveAdult(string? option, IReadOnlyList<string> searchFrom)
    {
        var folder = !string.IsNullOrWhiteSpace(option) ? Path.GetFullPath(option)
            : FindAbove(AdultRelativePath, searchFrom)
              ?? throw new CliUserException($"no Adult folder found ({AdultRelativePath} is not in {string.Join(" or ", searchFrom.Distinct())} or any folder above); pass --data DIR.");
        if (!Directory.Exists(folder)) throw new CliUserException($"--data folder {folder} does not exist; pass --data DIR with adult.data and adult.test.");
        if (!HasAdult(folder)) throw new CliUserException($"folder {folder} holds no Adult data set (adult.data[.gz] and adult.test[.gz]).");
        return folder;
    }

    private static bool HasAdult(string folder) =>
        Directory.Exists(folder) && new[] { "adult.data", "adult.test" }.All(n => File.Exists(Path.Combine(folder, n)) || File.Exists(Path.Combine(folder, n + ".gz")));

    /// <summary>The environment variable naming the MNIST folder when <c>--data</c> is not given.</summary>
    public const string MnistVariable = "NEURALSHIELD_DATA";

    /// <summary>The MNIST folder looked for above the current and the application's folder.</summary>
    public static string MnistRelativePath { get; } = Path.Combine("shared", "data", "mnist");

    /// <summary>The MNIST folder for <c>--data</c> (null when not given), checked to hold the training and test files.</summary>
    /// <exception cref="CliUserException">The folder given does not exist or holds no MNIST files, or none was found.</exception>
    public static string ResolveMnist(DirectoryInfo? option) =>
        ResolveMnist(option?.FullName, Environment.GetEnvironmentVariable(MnistVariable), [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary>The testable core of <see cref="ResolveMnist(DirectoryInfo?)"/>.</summary>
    internal static string ResolveMnist(string? option, string? environment, IReadOnlyList<string> searchFrom)
    {
        if (!string.IsNullOrWhiteSpace(option)) return RequireMnist(Path.GetFullPath(option), "--data folder");
        if (!string.IsNullOrWhiteSpace(environment)) return RequireMnist(Path.GetFullPath(environment), $"{MnistVariable} folder");
        var found = FindAbove(MnistRelativePath, searchFrom)
            ?? throw new CliUserException(
                $"no MNIST folder found ({MnistRelativePath} is not in {string.Join(" or ", searchFrom.Distinct())} or any folder above); " +
                $"pass --data DIR or set {MnistVariable}.");
        return RequireMnist(found, "MNIST folder");
    }

    /// <summary>The first existing <paramref name="relativePath"/> in a folder of <paramref name="searchFrom"/> or above it, or null.</summary>
    internal static string? FindAbove(string relativePath, IEnumerable<string> searchFrom)
    {
        foreach (var start in searchFrom.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    private static string RequireMnist(string folder, string what)
    {
        if (!Directory.Exists(folder))
            throw new CliUserException($"{what} {folder} does not exist; pass --data DIR with the MNIST IDX files.");
        try
        {
            Mnist.FindFiles(folder, MnistSplit.Train);
            Mnist.FindFiles(folder, MnistSplit.Test);
        }
        catch (IOException e)
        {
            throw new CliUserException($"{what} {folder} holds no MNIST data set: {CommandRunner.OneLine(e.Message)}", e);
        }
        return folder;
    }
}
