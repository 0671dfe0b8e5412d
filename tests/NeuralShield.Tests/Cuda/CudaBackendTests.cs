using NeuralShield.Cuda;

namespace NeuralShield.Tests.Cuda;

public class CudaBackendTests
{
    [Fact]
    public void CandidatesAreTriedInOrderAndOnlyFoldersWithLibtorchCudaAreUsable()
    {
        var root = Directory.CreateTempSubdirectory("ns-cuda-").FullName;
        try
        {
            var withCuda = Directory.CreateDirectory(Path.Combine(root, "torch", "lib")).FullName;
            File.WriteAllBytes(Path.Combine(withCuda, "libtorch_cuda.so"), []);
            var cpuOnly = Directory.CreateDirectory(Path.Combine(root, "cpu")).FullName;
            var missing = Path.Combine(root, "missing");

            var found = CudaBackend.FindCandidates(missing, [cpuOnly, cpuOnly], () => (withCuda, "PyTorch installation"));

            Assert.Equal(3, found.Count);
            Assert.Equal((CudaBackend.LibTorchDirectoryVariable, false, "folder does not exist"), (found[0].Source, found[0].Usable, found[0].Detail));
            Assert.Equal((cpuOnly, false), (found[1].Directory, found[1].Usable));
            Assert.Equal((withCuda, true), (found[2].Directory, found[2].Usable));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void UnsetVariableAndMissingPythonAreReportedNotThrown()
    {
        var found = CudaBackend.FindCandidates(null, [], () => (null, "python3 not found"));
        Assert.All(found, c => Assert.False(c.Usable));
        Assert.Equal("not set", found[0].Detail);
        Assert.Equal("python3 not found", found[^1].Detail);
    }
}
