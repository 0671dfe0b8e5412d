using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// Two <c>neuralshield silo</c> processes and a client process: <c>shadows --cluster</c> with one silo killed (SIGKILL,
/// no shutdown of any kind) while it trains a job, and <c>audit --cluster</c> against the same audit in process.
/// </summary>
public sealed partial class SiloProcessTests(ITestOutputHelper output)
{
    private const int Shadows = 8;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>A silo's log line of a job: key, name, what happened.</summary>
    [GeneratedRegex(@"Job (\S+) \('([^']*)'\) (started|completed)")]
    private static partial Regex JobLine();

    /// <summary>The client's progress line of a result it has received: the job's name.</summary>
    [GeneratedRegex(@"(shadow \d+)/\d+: trained")]
    private static partial Regex ReceivedLine();

    [GeneratedRegex(@"weight checksum (\S+)")]
    private static partial Regex ChecksumLine();

    [Fact]
    public void ASiloKilledMidRunLosesNoJobAndRunsNoneTwice() => KillTheVictim(sharedResults: false);

    [Fact]
    public void WithSharedResultsASiloKilledAsItFinishesAJobRunsNoneTwice() => KillTheVictim(sharedResults: true);

    /// <summary>
    /// Two silos and a client training 8 shadows; the non-primary silo is killed (SIGKILL) mid-run. Without shared results
    /// the kill lands while it trains a job and no finished result is in flight (a result lost in flight would be trained
    /// again: the client cannot tell it from a job lost mid-run). With a results directory both silos share, the kill lands
    /// the moment the victim logs a job complete that the client has not yet received — the in-flight case — and the
    /// survivor must restore that outcome, not train the job again.
    /// </summary>
    private void KillTheVictim(bool sharedResults)
    {
        using var folder = new TempFolder();
        string[] Shadow(params string[] extra) => ["--threads", "1", "shadows", "--count", Shadows.ToString(), "--epochs", "30", "--seed", "4", .. extra];
        var results = sharedResults ? folder.Create("results") : null;
        var (survivor, victim, gateways) = StartSilos(folder, results is null ? [] : ["--results", results]);
        using var _ = survivor;
        using var __ = victim;
        try
        {
            using var client = new CliProcess(Shadow("--cluster", gateways));

            string? interrupted = null, inFlight = null;
            for (var wait = Stopwatch.StartNew(); interrupted is null && inFlight is null; Thread.Sleep(sharedResults ? 1 : 20))
            {
                Assert.True(wait.Elapsed < Limit, "The victim never trained a second job:\n" + victim.Text);
                Assert.False(client.HasExited, "The run ended before the silo could be killed:\n" + client.Text);
                var jobs = victim.Lines.Select(l => JobLine().Match(l)).Where(m => m.Success).ToArray();
                var completed = jobs.Where(m => m.Groups[3].Value == "completed").Select(m => m.Groups[2].Value).ToHashSet();
                var running = jobs.Where(m => m.Groups[3].Value == "started" && !completed.Contains(m.Groups[2].Value)).ToArray();
                var received = client.Lines.Select(l => ReceivedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
                if (sharedResults)
                {
                    // The first completion the client has not yet received; after three the victim is killed mid-run instead.
                    var notReceived = jobs.Where(m => m.Groups[3].Value == "completed" && !received.Contains(m.Groups[2].Value)).ToArray();
                    if (notReceived.Length > 0) inFlight = notReceived[0].Groups[1].Value;
                    else if (completed.Count >= 3 && running.Length == 1) interrupted = running[0].Groups[1].Value;
                }
                else if (completed.Count > 0 && completed.IsSubsetOf(received) && running.Length == 1) interrupted = running[0].Groups[1].Value;
            }
            victim.Kill();

            var watch = Stopwatch.StartNew();
            Assert.True(client.WaitForExit(Limit), "The run did not finish after the silo was killed.");
            output.WriteLine($"the run finished {watch.Elapsed.TotalSeconds:F1} s after the kill");
            var clientText = client.Text;
            output.WriteLine("client:\n" + clientText);
            Assert.True(client.ExitCode == 0, clientText);
            Assert.Contains($"{Shadows} shadows in", clientText);

            var victimDone = Completed(victim);
            if (interrupted is not null) Assert.DoesNotContain(interrupted, victimDone);
            Assert.NotEmpty(victimDone);
            // The survivor logs a completion before the client gets it; give its logger a moment to write the last one.
            var survivorDone = Completed(survivor);
            for (var wait = Stopwatch.StartNew(); survivorDone.Count + victimDone.Count < Shadows && wait.Elapsed < TimeSpan.FromSeconds(10); survivorDone = Completed(survivor)) Thread.Sleep(50);
            var restored = survivor.Lines.Where(l => l.Contains(" restored: ")).ToList();
            output.WriteLine($"victim completed {string.Join(", ", victimDone)}; survivor completed {string.Join(", ", survivorDone)}; " +
                             $"interrupted {interrupted}; killed as it finished {inFlight}; survivor restored {restored.Count}");

            // Every job completed exactly once over the two silos; a job interrupted mid-run on the survivor, a job
            // finished by the victim not again (restored from the shared results if the client had not received it).
            Assert.Equal(Shadows, victimDone.Count + survivorDone.Count);
            Assert.Equal(Shadows, victimDone.Concat(survivorDone).Distinct().Count());
            if (interrupted is not null) Assert.Contains(interrupted, survivorDone);
            if (inFlight is not null) Assert.DoesNotContain(inFlight, survivorDone);
            Assert.All(restored, line => Assert.Contains(inFlight ?? "no job", line));
            if (results is not null)
            {
                // Every stored outcome is deleted once the client has it (the client's release is not awaited: allow a moment).
                for (var wait = Stopwatch.StartNew(); Directory.EnumerateFiles(results).Any() && wait.Elapsed < TimeSpan.FromSeconds(10);) Thread.Sleep(50);
                Assert.Empty(Directory.EnumerateFiles(results));
            }

            // And the retried jobs trained to the weights their seeds give: the in-process run's checksum.
            var (inProcessCode, inProcessText, inProcessErrors) = InProcess.Run(Shadow());
            Assert.True(inProcessCode == 0, string.Join('\n', inProcessErrors));
            Assert.Equal(ChecksumLine().Match(inProcessText).Groups[1].Value, ChecksumLine().Match(clientText).Groups[1].Value);
        }
        finally
        {
            output.WriteLine("survivor:\n" + survivor.Text);
            output.WriteLine("victim:\n" + victim.Text);
        }
    }

    [Fact]
    public void AnAuditOnTheClusterGivesTheInProcessReport()
    {
        using var folder = new TempFolder();
        var (first, second, gateways) = StartSilos(folder);
        using var _ = first;
        using var __ = second;
        try
        {
            string[] Audit(string outFolder, params string[] extra) =>
                ["--threads", "1", "audit", "--data", "adult", "--attacks", "membership-shadow", "--train-samples", "1000", "--samples", "200", "--epochs", "20",
                    "--quiet", "--out", outFolder, .. extra];
            var onCluster = folder.Create("cluster");
            using (var client = new CliProcess(Audit(onCluster, "--cluster", gateways)))
            {
                Assert.True(client.WaitForExit(Limit), "The audit did not finish.");
                Assert.True(client.ExitCode == 0, client.Text);
            }
            var inProcess = folder.Create("in-process");
            var (code, _, errors) = InProcess.Run(Audit(inProcess));
            Assert.True(code == 0, string.Join('\n', errors));

            // The one shadow set the membership entries share (8 shadows) trained on the silos, none in the client...
            var trained = Completed(first).Count + Completed(second).Count;
            Assert.Equal(8, trained);
            Assert.NotEmpty(Completed(first));
            Assert.NotEmpty(Completed(second));
            // ...and gave the report of the same audit in process: in process the eight shadows train as one stacked
            // ensemble, on the silos one by one, the same models up to floating-point summation order, so the AUCs agree
            // to a few ten-thousandths (a different shadow set moves them by hundredths).
            var expected = MembershipAucs(inProcess);
            Assert.Equal(expected.Keys.Order(), MembershipAucs(onCluster).Keys.Order());
            Assert.NotEmpty(expected);
            foreach (var (entry, auc) in MembershipAucs(onCluster)) Assert.Equal(expected[entry], auc, 0.003);
        }
        finally
        {
            output.WriteLine("silo 0:\n" + first.Text);
            output.WriteLine("silo 1:\n" + second.Text);
        }
    }

    [Fact]
    public void AuditOnTheClusterNeedsTheDataTheSilosServe()
    {
        var (code, _, errors) = InProcess.Run("audit", "--cluster", "127.0.0.1:30000", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("--cluster trains the shadow models on silos that serve UCI Adult's training rows", Assert.Single(errors));
    }

    private static Dictionary<string, double> MembershipAucs(string reportFolder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(reportFolder, "report.json")));
        return document.RootElement.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("membership").ValueKind == JsonValueKind.Object)
            .ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("membership").GetProperty("auc").GetDouble());
    }

    /// <summary>A manifest of Adult's training rows, then two silos (the first the primary) that serve them; their gateways as --cluster takes them.</summary>
    private static (CliProcess First, CliProcess Second, string Gateways) StartSilos(TempFolder folder, string[]? siloOptions = null)
    {
        var key = Path.Combine(folder.Path, "key.bin");
        File.WriteAllBytes(key, Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1)).ToArray());
        var manifest = Path.Combine(folder.Path, "adult-train.manifest.json");
        var (code, _, errors) = InProcess.Run("silo", "manifest", "--key-file", key, "--out", manifest);
        Assert.True(code == 0, string.Join('\n', errors));
        var ports = FreePorts(4);
        string[] Silo(int i, params string[] extra) =>
            ["--threads", "1", "silo", "--manifest", manifest, "--key-file", key, "--port", ports[2 * i].ToString(), "--gateway-port", ports[2 * i + 1].ToString(), .. siloOptions ?? [], .. extra];
        var first = new CliProcess(Silo(0));
        CliProcess? second = null;
        try
        {
            second = new CliProcess(Silo(1, "--primary", $"127.0.0.1:{ports[0]}"));
            first.WaitFor(line => line.Contains(" ready "), Limit);
            second.WaitFor(line => line.Contains(" ready "), Limit);
            return (first, second, $"127.0.0.1:{ports[1]},127.0.0.1:{ports[3]}");
        }
        catch
        {
            first.Dispose();
            second?.Dispose();
            throw;
        }
    }

    private static List<string> Completed(CliProcess silo) =>
        silo.Lines.Select(l => JobLine().Match(l)).Where(m => m.Success && m.Groups[3].Value == "completed").Select(m => m.Groups[1].Value).ToList();

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    /// <summary>The CLI (its app host beside the tests) as a child process whose output lines are collected as they come.</summary>
    private sealed class CliProcess : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _incoming = new();
        private readonly ConcurrentQueue<string> _lines = new();

        public CliProcess(string[] args)
        {
            var host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "NeuralShield.Cli.exe" : "NeuralShield.Cli");
            var info = new ProcessStartInfo(host, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
            _process = new Process { StartInfo = info };
            _process.OutputDataReceived += (_, e) => Add(e.Data);
            _process.ErrorDataReceived += (_, e) => Add(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Lines => _lines.ToArray();

        public string Text => string.Join('\n', _lines);

        public int ExitCode => _process.ExitCode;

        public bool HasExited => _process.HasExited;

        private void Add(string? line)
        {
            if (line is null) return;
            _lines.Enqueue(line);
            _incoming.Add(line);
        }

        /// <summary>The first line from now on that <paramref name="match"/> accepts; fails the test if none comes in time or the process ends.</summary>
        public string WaitFor(Func<string, bool> match, TimeSpan limit)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < limit)
            {
                if (_incoming.TryTake(out var line, TimeSpan.FromMilliseconds(100)))
                {
                    if (match(line)) return line;
                }
                else if (_process.HasExited && _incoming.Count == 0)
                {
                    throw new Xunit.Sdk.XunitException($"{_process.StartInfo.FileName} exited ({_process.ExitCode}) before the awaited line:\n{Text}");
                }
            }
            throw new TimeoutException($"no awaited line within {limit.TotalSeconds:0} s:\n{Text}");
        }

        public bool WaitForExit(TimeSpan limit)
        {
            if (!_process.WaitForExit(limit)) return false;
            _process.WaitForExit(); // drains the output events
            return true;
        }

        /// <summary>SIGKILL: the process gets no chance to stop anything.</summary>
        public void Kill() => _process.Kill(entireProcessTree: true);

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Never started or already gone.
            }
            _process.Dispose();
            _incoming.Dispose();
        }
    }
}
