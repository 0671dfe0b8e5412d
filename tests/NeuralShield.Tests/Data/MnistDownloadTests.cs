using System.Net;
using System.Net.Sockets;
using NeuralShield.Data;

namespace NeuralShield.Tests.Data;

/// <summary>A tiny HTTP server on 127.0.0.1 for download tests.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handler;
    private readonly Task _loop;
    private int _requests;

    public LocalHttpServer(Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        _handler = handler;
        var port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{port}/mnist/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUri { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Serves the files of <paramref name="folder"/> by name; 404 for anything else.</summary>
    public static LocalHttpServer ServeFolder(string folder) => new(async (context, ct) =>
    {
        var name = Path.GetFileName(context.Request.Url!.AbsolutePath);
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            context.Response.StatusCode = 404;
            context.Response.Close();
            return;
        }
        var bytes = await File.ReadAllBytesAsync(path, ct);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes, ct);
        context.Response.Close();
    });

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _handler(context, _stop.Token);
                }
                catch (Exception)
                {
                    try { context.Response.Abort(); } catch (Exception) { }
                }
            });
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}

public class MnistDownloadTests
{
    private static readonly (string Served, string Source)[] Files =
    [
        ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"),
        ("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
        ("train-images-idx3-ubyte.gz", "train-first10k-images-idx3-ubyte.gz"),
        ("train-labels-idx1-ubyte.gz", "train-first10k-labels-idx1-ubyte.gz"),
    ];

    private static TempDir MirrorFolder()
    {
        var mirror = new TempDir();
        foreach (var (served, source) in Files) mirror.Copy(Path.Combine(SharedData.Mnist, source), served);
        return mirror;
    }

    [Fact]
    public async Task Downloads_the_four_files_byte_for_byte_and_skips_existing_ones()
    {
        using var mirror = MirrorFolder();
        using var target = new TempDir();
        using var server = LocalHttpServer.ServeFolder(mirror.Path);
        using var client = new HttpClient();
        var into = Path.Combine(target.Path, "mnist");

        var downloaded = await Mnist.DownloadAsync(server.BaseUri, into, CancellationToken.None, client);

        Assert.Equal(Files.Select(f => Path.Combine(into, f.Served)), downloaded);
        foreach (var (served, _) in Files)
            Assert.Equal(File.ReadAllBytes(mirror.File(served)), File.ReadAllBytes(Path.Combine(into, served)));
        Assert.Equal(Files.Length, Directory.GetFiles(into).Length);
        using (var test = Mnist.Load(into, MnistSplit.Test)) Assert.Equal(10_000, test.Count);
        using (var train = Mnist.Load(into, MnistSplit.Train)) Assert.Equal(10_000, train.Count);

        var requests = server.Requests;
        var again = await Mnist.DownloadAsync(new Uri(server.BaseUri.AbsoluteUri.TrimEnd('/')), into, CancellationToken.None, client);
        Assert.Empty(again);
        Assert.Equal(requests, server.Requests);
    }

    [Fact]
    public async Task A_corrupt_download_is_rejected_and_not_kept()
    {
        using var mirror = MirrorFolder();
        var labels = File.ReadAllBytes(mirror.File("t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(mirror.File("t10k-labels-idx1-ubyte.gz"), labels[..(labels.Length / 2)]);
        using var target = new TempDir();
        using var server = LocalHttpServer.ServeFolder(mirror.Path);

        var e = await Assert.ThrowsAsync<InvalidDataException>(
            () => Mnist.DownloadAsync(server.BaseUri, target.Path, CancellationToken.None));

        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message);
        // The images came first and were valid; the corrupt labels left nothing behind, not even a temporary file.
        Assert.Equal(["t10k-images-idx3-ubyte.gz"], Directory.GetFiles(target.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_that_is_not_idx_is_rejected()
    {
        using var mirror = new TempDir();
        mirror.WriteText("t10k-images-idx3-ubyte.gz", "<html>Not found</html>");
        using var target = new TempDir();
        using var server = LocalHttpServer.ServeFolder(mirror.Path);

        var e = await Assert.ThrowsAsync<InvalidDataException>(
            () => Mnist.DownloadAsync(server.BaseUri, target.Path, CancellationToken.None));
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Empty(Directory.GetFiles(target.Path));
    }

    [Fact]
    public async Task An_error_status_throws_HttpRequestException()
    {
        using var mirror = new TempDir();
        using var target = new TempDir();
        using var server = LocalHttpServer.ServeFolder(mirror.Path);
        var e = await Assert.ThrowsAsync<HttpRequestException>(
            () => Mnist.DownloadAsync(server.BaseUri, target.Path, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Empty(Directory.GetFiles(target.Path));
    }

    [Fact]
    public async Task Cancellation_mid_download_throws_and_leaves_nothing_behind()
    {
        using var target = new TempDir();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LocalHttpServer(async (context, stop) =>
        {
            context.Response.ContentLength64 = 1 << 20;
            await context.Response.OutputStream.WriteAsync(new byte[4096], stop);
            await context.Response.OutputStream.FlushAsync(stop);
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, stop); // stall until the server stops
        });
        using var cts = new CancellationTokenSource();
        var download = Mnist.DownloadAsync(server.BaseUri, target.Path, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        Assert.Empty(Directory.GetFiles(target.Path));
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_before_any_request()
    {
        using var target = new TempDir();
        using var server = LocalHttpServer.ServeFolder(target.Path);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Mnist.DownloadAsync(server.BaseUri, target.File("mnist"), new CancellationToken(canceled: true)));
        Assert.Equal(0, server.Requests);
    }
}
