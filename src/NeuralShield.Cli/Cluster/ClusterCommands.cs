using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using NeuralShield.Orleans;
using NeuralShield.Training;
using Orleans.Hosting;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Cluster;

/// <summary>
/// The sample host of the Orleans training service: <c>neuralshield silo</c> runs a silo that trains jobs on UCI
/// Adult's training file (dataset id <see cref="AdultTrainId"/>, checked against its integrity manifest),
/// <c>neuralshield silo manifest</c> writes that manifest, and <c>neuralshield shadows</c> trains shadow models on a
/// cluster (<c>--cluster</c>) or in process and times them.
/// </summary>
internal static class ClusterCommands
{
    /// <summary>The id under which a silo serves Adult's encoded training rows.</summary>
    public const string AdultTrainId = "adult-train";

    /// <summary>The cluster and service id of the sample host.</summary>
    public const string ClusterId = "neuralshield";

    public static Command CreateSilo(GlobalOptions globals)
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "The Adult folder (adult.data[.gz], adult.test[.gz]); default: shared/data/adult above" };
        var manifest = new Option<FileInfo>("--manifest") { Description = "The integrity manifest of Adult's training rows (neuralshield silo manifest)", Required = true };
        var key = new Option<FileInfo>("--key-file") { Description = "The manifest's HMAC key (a file of at least 16 bytes)", Required = true };
        var address = new Option<string>("--address") { Description = "The IP address this silo listens on and advertises (default 127.0.0.1)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = GlobalOptions.AtLeastOne("--port", "Silo-to-silo port (default 11111)");
        var gatewayPort = GlobalOptions.AtLeastOne("--gateway-port", "Client gateway port (default 30000)");
        var primary = new Option<string?>("--primary") { Description = "HOST:PORT of the primary silo, which keeps the development membership table (default: this silo is the primary)" };
        var jobs = GlobalOptions.AtLeastOne("--jobs", "Jobs trained at the same time on this silo (default 1); with --threads T, jobs x T should fit its cores");
        var results = new Option<DirectoryInfo?>("--results") { Description = "A directory all silos share, where each completed job's outcome is kept until the client has it: a result lost with a silo is not trained again (default: none)" };
        var command = new Command("silo", "Run an Orleans silo that trains shadow-model jobs on UCI Adult (stop with Ctrl+C)");
        foreach (var option in new Option[] { data, manifest, key, address, port, gatewayPort, primary, jobs, results }) command.Options.Add(option);
        command.Subcommands.Add(CreateManifest(globals));
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var folder = DataFolders.ResolveAdult(parse.GetValue(data)?.FullName, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
            var integrity = IntegrityManifest.Load(parse.GetValue(manifest)!.FullName, ReadKey(parse.GetValue(key)!));
            var ip = ParseAddress(parse.GetValue(address)!, "--address");
            var siloPort = parse.GetValue(port) ?? 11111;
            var primaryEndpoint = parse.GetValue(primary) is { } p ? ParseEndpoint(p, "--primary") : new IPEndPoint(ip, siloPort);
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("NeuralShield", LogLevel.Information);
            builder.UseOrleans(silo =>
            {
                silo.UseDevelopmentClustering(primaryEndpoint);
                silo.ConfigureEndpoints(ip, siloPort, parse.GetValue(gatewayPort) ?? 30000);
                silo.Configure<global::Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = ClusterId;
                    o.ServiceId = ClusterId;
                });
                silo.AddModelTraining(o =>
                {
                    o.MaxConcurrentJobs = parse.GetValue(jobs) ?? 1;
                    o.TorchThreadsPerJob = context.Threads;
                    o.ResultDirectory = parse.GetValue(results)?.FullName;
                    o.Datasets[AdultTrainId] = new WorkerDataset(() =>
                    {
                        using var adult = AdultDataset.Load(folder);
                        return adult.Train.Slice(0, adult.Train.Count);
                    }, integrity);
                });
            });
            using var host = builder.Build();
            host.StartAsync(ct).GetAwaiter().GetResult();
            var worker = host.Services.GetRequiredService<TrainingWorker>();
            context.Out.WriteLine($"silo {worker.Silo} ready (cluster '{ClusterId}', primary {primaryEndpoint}, {context.Threads} torch thread(s), serving '{AdultTrainId}' from {folder})");
            // Ctrl+C (the command's token) or SIGTERM (the host's lifetime) stops the silo.
            WaitHandle.WaitAny([ct.WaitHandle, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.WaitHandle]);
            host.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            var s = worker.Statistics;
            context.Out.WriteLine($"silo stopped: {s.Completed} jobs completed, {s.Restored} restored from stored outcomes, {s.Interrupted} interrupted, {s.Refused} refused, {s.Failed} failed");
            return 0;
        });
        return command;
    }

    private static Command CreateManifest(GlobalOptions globals)
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "The Adult folder; default: shared/data/adult above" };
        var key = new Option<FileInfo>("--key-file") { Description = "The HMAC key (a file of at least 16 bytes; keep it secret)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the manifest", Required = true };
        var command = new Command("manifest", $"Write the integrity manifest of Adult's training rows as silos serve them ('{AdultTrainId}')");
        foreach (var option in new Option[] { data, key, output }) command.Options.Add(option);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var folder = DataFolders.ResolveAdult(parse.GetValue(data)?.FullName, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
            using var adult = AdultDataset.Load(folder);
            var manifest = IntegrityManifest.Create(adult.Train, ReadKey(parse.GetValue(key)!), name: AdultTrainId, cancellationToken: ct);
            manifest.Save(parse.GetValue(output)!.FullName);
            context.Out.WriteLine($"wrote the manifest of {adult.Train.Count} records to {parse.GetValue(output)!.FullName}");
            return 0;
        });
        return command;
    }

    public static Command CreateShadows(GlobalOptions globals)
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "The Adult folder; default: shared/data/adult above" };
        var cluster = new Option<string?>("--cluster") { Description = "Comma-separated HOST:PORT gateways of silos (neuralshield silo); default: train in this process" };
        var count = GlobalOptions.AtLeastOne("--count", "Shadow models (default 16)");
        var epochs = GlobalOptions.AtLeastOne("--epochs", "Epochs per shadow (default 30)");
        var parallel = GlobalOptions.AtLeastOne("--parallel", "In process only: shadows trained at the same time (default 1)");
        var seed = new Option<long>("--seed") { Description = "Seed of the pool's shuffle, the sampling and the models (default 0)" };
        var command = new Command("shadows", "Train shadow MLPs on UCI Adult (the membership reproduction's overfit recipe: 512-512 ReLU, 1,000 rows each) on a cluster or in process, and time them");
        foreach (var option in new Option[] { data, cluster, count, epochs, parallel, seed }) command.Options.Add(option);
        CommandRunner.SetAction(command, globals, (parse, context, ct) =>
        {
            var folder = DataFolders.ResolveAdult(parse.GetValue(data)?.FullName, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
            var gateways = parse.GetValue(cluster) is { } list ? ParseGateways(list) : null;
            return TrainShadows(folder, gateways, parse.GetValue(count) ?? 16, parse.GetValue(epochs) ?? 30, parse.GetValue(parallel) ?? 1, parse.GetValue(seed), context, ct);
        });
        return command;
    }

    private static int TrainShadows(string folder, IPEndPoint[]? gateways, int count, int epochs, int parallel, long seed, CommandContext context, CancellationToken ct)
    {
        using var adult = AdultDataset.Load(folder);
        var poolSize = Math.Min(adult.Train.Count, 2000 * count);
        using var perm = LabeledData.Permutation(adult.Train.Count, seed, CPU);
        var poolIndices = perm.data<long>().ToArray()[..poolSize];
        using var pool = adult.Train.Subset(poolIndices);
        var recipe = NeuralShield.Reproductions.MembershipSupport.AdultOverfitRecipe(adult, epochs, seed);
        var architecture = ZooArchitecture.Of(recipe.Architecture);
        var options = new ShadowTrainingOptions
        {
            Recipe = recipe,
            Count = count,
            Sampling = ShadowSampling.Disjoint,
            TrainSize = Math.Min(1000, poolSize / count / 2),
            Seed = seed,
            TrainingService = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = parallel }),
        };
        ClusterTrainingService? service = null;
        try
        {
            if (gateways is not null)
            {
                service = Connect(gateways, ct);
                options.TrainingService = service;
                options.PoolSource = AdultTrainRows(poolIndices);
            }
            var where = gateways is null ? $"in process ({parallel} at a time)" : $"on the cluster behind {string.Join(", ", gateways.Select(g => g.ToString()))}";
            context.Out.WriteLine($"training {count} shadows ({architecture}, {epochs} epochs, {options.TrainSize} rows each) {where}");
            var watch = Stopwatch.StartNew();
            using var shadows = ShadowModelSet.Train(pool, options, RunOptions.Reporting(new Progress<string>(line => context.Out.WriteLine("  " + line))), ct);
            watch.Stop();
            var jobSeconds = shadows.Models.Select(m => m.Training.Elapsed.TotalSeconds).ToArray();
            context.Out.WriteLine($"{shadows.Count} shadows in {watch.Elapsed.TotalSeconds:F2} s (training time per shadow: mean {jobSeconds.Average():F2} s, " +
                $"sum {jobSeconds.Sum():F1} s); weight checksum {shadows.Models.SelectMany(m => m.Classifier.Module.parameters()).Sum(p => (double)p.sum().item<float>()):R}");
            return 0;
        }
        catch (ClusterTrainingException e)
        {
            throw new CliUserException(e.Message, e);
        }
        finally
        {
            service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static byte[] ReadKey(FileInfo file)
    {
        var key = File.ReadAllBytes(file.FullName);
        if (key.Length < IntegrityManifest.MinimumKeyBytes) throw new CliUserException($"--key-file {file.FullName} holds {key.Length} bytes; the key needs at least {IntegrityManifest.MinimumKeyBytes}.");
        return key;
    }

    private static IPAddress ParseAddress(string text, string option) =>
        IPAddress.TryParse(text, out var ip) ? ip : throw new CliUserException($"{option} '{text}' is not an IP address.");

    /// <summary>The gateways of <c>--cluster HOST:PORT,...</c>.</summary>
    internal static IPEndPoint[] ParseGateways(string list)
    {
        var gateways = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => ParseEndpoint(g, "--cluster")).ToArray();
        return gateways.Length > 0 ? gateways : throw new CliUserException("--cluster needs at least one HOST:PORT gateway.");
    }

    /// <summary>The silos behind <paramref name="gateways"/> as the membership reproduction's remote shadow training (the caller disposes the service).</summary>
    internal static NeuralShield.Reproductions.RemoteShadowTraining ConnectForShadows(IReadOnlyList<IPEndPoint> gateways) =>
        new(Connect(gateways, CancellationToken.None), AdultTrainRows, $"on the silos behind {string.Join(", ", gateways)}");

    /// <summary>Connects to the training silos behind <paramref name="gateways"/> (the sample host's cluster id); a connection failure is a user error.</summary>
    internal static ClusterTrainingService Connect(IReadOnlyList<IPEndPoint> gateways, CancellationToken cancellationToken)
    {
        try
        {
            return ClusterTrainingService.ConnectAsync(gateways, ClusterId, ClusterId, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (global::Orleans.Runtime.OrleansException e)
        {
            throw new CliUserException($"cannot reach the cluster at {string.Join(", ", gateways)}: {e.Message}", e);
        }
    }

    /// <summary>The pool's records as positions in Adult's training file, as silos serve it (<see cref="AdultTrainId"/>).</summary>
    internal static DataReference AdultTrainRows(IReadOnlyList<long> rows) => new(AdultTrainId, rows);

    private static IPEndPoint ParseEndpoint(string text, string option) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0 ? endpoint : throw new CliUserException($"{option} '{text}' is not HOST:PORT (an IP address and a port).");
}
