using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

NeuralShield.Runtime.NativeRuntime.Initialize();
// --inprocess: run the benchmarks inside this process (machines without the .NET SDK, e.g. the GPU machine).
var inProcess = args.Contains("--inprocess");
var rest = args.Where(a => a != "--inprocess").ToArray();
IConfig config = DefaultConfig.Instance;
if (inProcess)
    config = config.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(NeuralShield.Benchmarks.Devices).Assembly).Run(rest, config);
