using System.Runtime.CompilerServices;

namespace NeuralShield.Cuda.Tests;

/// <summary>Prepares TorchSharp's native bridge before any test touches TorchSharp directly.</summary>
internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Initialize() => NeuralShield.Runtime.NativeRuntime.Initialize();
}
