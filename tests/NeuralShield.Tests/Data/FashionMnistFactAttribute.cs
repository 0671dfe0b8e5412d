namespace NeuralShield.Tests.Data;

/// <summary>A test of Fashion-MNIST from Debian's package: skipped, naming the install line, where the package is not installed (.ci/run installs it).</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    /// <summary>Where Debian's dataset-fashion-mnist puts the IDX files.</summary>
    public const string Folder = "/usr/share/datasets/fashion-mnist";

    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(Folder))
            Skip = $"{Folder} is missing: install it with 'sudo apt-get install -y dataset-fashion-mnist' (.ci/run does).";
    }
}
