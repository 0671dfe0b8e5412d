using NeuralShield.Attacks.Evasion;
using static TorchSharp.torch;

namespace NeuralShield.Cuda.Tests;

/// <summary>The batch size from free memory falls back to its documented CPU default; runs everywhere.</summary>
public class DeviceMemoryTests
{
    [Fact]
    public void OnTheCpuTheWorkingMemoryIsTheDocumentedDefault()
    {
        Assert.Null(DeviceMemory.FreeBytes(CPU));
        Assert.Equal(64L << 20, DeviceMemory.CpuWorkingMemoryBytes);
        Assert.Equal(DeviceMemory.CpuWorkingMemoryBytes, DeviceMemory.WorkingMemory(CPU));
        Assert.Equal(64, DeviceMemory.BatchSize(CPU, bytesPerSample: 1L << 20, maximum: 1000));
        Assert.Equal(10, DeviceMemory.BatchSize(CPU, bytesPerSample: 1L << 20, maximum: 10));
        Assert.Equal(1, DeviceMemory.BatchSize(CPU, bytesPerSample: 1L << 30, maximum: 1000));
        Assert.Equal(JsmaOptions.DefaultPairSearchMemoryBytes, DeviceMemory.JsmaPairSearchBytes(CPU, 784));
        Assert.Equal(JsmaOptions.DefaultPairSearchMemoryBytes, DeviceMemory.JsmaPairSearchBytes(CPU, 3 * 224 * 224));
    }

    [Fact]
    public void OnADeviceTheWorkingMemoryIsAShareOfTheFreeMemoryWithinBounds()
    {
        Assert.Equal(512L << 20, DeviceMemory.WorkingMemory(freeBytes: 1L << 30, fraction: 0.5));
        Assert.Equal(DeviceMemory.MaximumWorkingMemoryBytes, DeviceMemory.WorkingMemory(freeBytes: 140L << 30, fraction: 0.5));
        Assert.Equal(DeviceMemory.CpuWorkingMemoryBytes, DeviceMemory.WorkingMemory(freeBytes: 1L << 20, fraction: 0.5));
        Assert.Equal(DeviceMemory.CpuWorkingMemoryBytes, DeviceMemory.WorkingMemory(freeBytes: null, fraction: 0.5));

        const long features = 3 * 224 * 224;
        var row = features * DeviceMemory.JsmaBytesPerPairScore;
        var bytes = DeviceMemory.JsmaPairSearchBytes(freeBytes: 1L << 30, features, fraction: 0.5);
        Assert.Equal((512L << 20) / row * row, bytes);
        Assert.Equal(0, bytes % row);
        Assert.Equal(JsmaOptions.DefaultPairSearchMemoryBytes, DeviceMemory.JsmaPairSearchBytes(freeBytes: null, features, fraction: 0.5));
    }

    [Fact]
    public void BadSizesAreRefusedByName()
    {
        Assert.Equal("bytesPerSample", Assert.Throws<ArgumentOutOfRangeException>(() => DeviceMemory.BatchSize(CPU, 0, 10)).ParamName);
        Assert.Equal("maximum", Assert.Throws<ArgumentOutOfRangeException>(() => DeviceMemory.BatchSize(CPU, 10, 0)).ParamName);
        Assert.Equal("fraction", Assert.Throws<ArgumentOutOfRangeException>(() => DeviceMemory.WorkingMemory(CPU, 1.5)).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => DeviceMemory.JsmaPairSearchBytes(CPU, 0)).ParamName);
    }
}
