using NeuralShield.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// One hot loop twice: through the library (<see cref="Library"/>) and as the bare TorchSharp work it needs, the same
/// math written by hand without the library's checks, batching and bookkeeping (<see cref="Bare"/>). The ratio of
/// their times is the library's overhead. Both wait for queued device work before they return.
/// </summary>
internal abstract class Workload : IDisposable
{
    protected Workload(Device device) => Device = device;

    /// <summary>Where the loop runs.</summary>
    public Device Device { get; }

    /// <summary>What the loop does, in a few words.</summary>
    public string What { get; protected init; } = "";

    /// <summary>The loop's length in gradient steps (1 for a single step).</summary>
    public int Steps { get; protected init; } = 1;

    /// <summary>The loop through the library's public API.</summary>
    public abstract void Library();

    /// <summary>The same math in bare TorchSharp.</summary>
    public abstract void Bare();

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    protected void Synchronize()
    {
        if (Device.type == DeviceType.CUDA) cuda.synchronize();
    }

    /// <summary>LeNet-5 (<see cref="ModelZoo.LeNet5"/>) on the device, in evaluation mode.</summary>
    protected static TorchClassifier LeNet(Device device, long seed = 0)
    {
        var module = ModelZoo.LeNet5(seed: seed);
        module.to(device);
        module.eval();
        return new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
    }

    /// <summary>Uniform [0, scale) MNIST-shaped inputs drawn on the CPU from <paramref name="seed"/>, moved to the device.</summary>
    protected static Tensor Images(int count, Device device, long seed = 1, double scale = 1.0)
    {
        using var g = new Generator((ulong)seed);
        using var x = rand([count, 1, 28, 28], generator: g);
        return scale == 1.0 ? x.to(device, copy: true) : (x * scale).to(device);
    }

    /// <summary>Uniform labels in [0, 10) drawn on the CPU from <paramref name="seed"/>, moved to the device.</summary>
    protected static Tensor Labels(int count, Device device, long seed = 2)
    {
        using var g = new Generator((ulong)seed);
        using var y = randint(0, 10, [count], generator: g);
        return y.to(device, copy: true);
    }
}
