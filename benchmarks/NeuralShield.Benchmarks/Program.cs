using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// --cuda: load a CUDA libtorch first (NEURALSHIELD_LIBTORCH_DIR, native folders or python3's torch); the device
// parameter then lists "cuda" too.
if (args.Contains("--cuda")) NeuralShield.Cuda.CudaBackend.Initialize();
NeuralShield.Runtime.NativeRuntime.Initialize();
// --inprocess: run the benchmarks inside this process (machines without the .NET SDK, e.g. the GPU machine).
// --fast: one launch, one warm-up and three measured iterations of one invocation each (the whole suite in minutes).
var inProcess = args.Contains("--inprocess");
var fast = args.Contains("--fast");
var rest = args.Where(a => a is not ("--inprocess" or "--fast" or "--cuda")).ToArray();
IConfig config = DefaultConfig.Instance;
var job = fast
    ? Job.Dry.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1).WithId("Fast")
    : Job.ShortRun;
if (inProcess) job = job.WithToolchain(InProcessEmitToolchain.Instance);
if (inProcess || fast) config = config.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(NeuralShield.Benchmarks.Devices).Assembly).Run(rest, config);
