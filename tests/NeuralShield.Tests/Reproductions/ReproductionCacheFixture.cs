namespace NeuralShield.Tests.Reproductions;

/// <summary>A temporary model cache shared by the small runs (so that the shared LeNet-5 trains once), deleted afterwards.</summary>
public sealed class ReproductionCacheFixture : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("neuralshield-reproductions-").FullName;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on some platform: the temporary folder is left to the system.
        }
    }
}
