using System.Text.Json;
using NeuralShield.Encrypted;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NeuralShield.Tests.Encrypted;

/// <summary>One client and one evaluator with TenSEAL's MNIST parameters, each in its own Node.js process, shared by the tests.</summary>
public sealed class NodeSealFixture : IDisposable
{
    public NodeSealFixture()
    {
        Module = CkksNetworks.TenSealMnist(seed: 7);
        // Fresh weights give logits near 0.03, below the absolute error CKKS adds at scale 2^26 (about 1e-3); scaled
        // like a trained network's (logits of a few units), the comparison is a relative one.
        using (torch.no_grad())
            foreach (var (name, p) in Module.named_parameters())
                if (name.StartsWith("conv", StringComparison.Ordinal) || name.StartsWith("fc2", StringComparison.Ordinal)) p.mul_(4);
        Network = CkksNetwork.FromModule(Module, [1, 28, 28], CkksParameters.TenSealMnist);
        Client = NodeSeal.CreateClient(CkksParameters.TenSealMnist, Network.RotationSteps);
        Evaluator = NodeSeal.CreateEvaluator(CkksParameters.TenSealMnist, Client.Keys, null, (name, args) => Received.Add((name, args)), default);
    }

    public Module<Tensor, Tensor> Module { get; }

    public CkksNetwork Network { get; }

    public ICkksClient Client { get; }

    public ICkksEvaluator Evaluator { get; }

    /// <summary>Every call that crossed into the evaluator's process.</summary>
    public List<(string Function, object?[] Args)> Received { get; } = [];

    public void Dispose()
    {
        Evaluator.Dispose();
        Client.Dispose();
        Module.Dispose();
    }
}

public sealed class NodeSealTests(NodeSealFixture fixture) : IClassFixture<NodeSealFixture>
{
    private static float[][] Digits(int count)
    {
        // Stroke-like images: a few bright bars on a dark background.
        var random = new Random(21);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var image = new float[784];
            for (var bar = 0; bar < 3; bar++)
            {
                var (row, col, horizontal) = (random.Next(4, 24), random.Next(4, 24), random.Next(2) == 0);
                for (var t = -6; t <= 6; t++)
                {
                    var (y, x) = horizontal ? (row, Math.Clamp(col + t, 0, 27)) : (Math.Clamp(row + t, 0, 27), col);
                    image[y * 28 + x] = (float)(0.6 + 0.4 * random.NextDouble());
                }
            }
            return image;
        }).ToArray();
    }

    private double[][] Plain(float[][] images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        fixture.Module.eval();
        var logits = fixture.Module.forward(tensor(images.SelectMany(x => x).ToArray(), [images.Length, 1, 28, 28])).to_type(ScalarType.Float64);
        return Enumerable.Range(0, images.Length).Select(i => logits[i].data<double>().ToArray()).ToArray();
    }

    [Fact]
    public void EncryptedLogitsMatchThePlaintextNetworkWithinCkksPrecision()
    {
        var images = Digits(3);
        var expected = Plain(images);
        var actual = fixture.Network.Infer(fixture.Client, fixture.Evaluator, images);
        var scale = expected.SelectMany(x => x).Max(Math.Abs);
        Assert.True(scale > 1, $"the test network's logits are too small to compare ({scale})");
        var tolerance = 1e-2 * scale;
        for (var i = 0; i < images.Length; i++)
        {
            for (var k = 0; k < 10; k++)
                Assert.True(Math.Abs(expected[i][k] - actual[i][k]) <= tolerance, $"image {i} logit {k}: {actual[i][k]} vs {expected[i][k]} (scale {scale})");
            var sorted = expected[i].OrderDescending().ToArray();
            if (sorted[0] - sorted[1] > 2 * tolerance)
                Assert.Equal(Array.IndexOf(expected[i], sorted[0]), Array.IndexOf(actual[i], actual[i].Max()));
        }
    }

    [Fact]
    public void TheEvaluatorReceivesNeitherTheSecretKeyNorAnInput()
    {
        var images = Digits(2);
        fixture.Network.Infer(fixture.Client, fixture.Evaluator, images);
        var secret = ((NodeSealClient)fixture.Client).ExportSecretKey();
        Assert.True(secret.Length > 1000);
        var received = fixture.Received.ToArray();
        Assert.Contains(received, m => m.Function == "load");
        var inputVectors = fixture.Network.EncodeInputs(images);
        foreach (var (function, args) in received)
        {
            var text = JsonSerializer.Serialize(args);
            Assert.DoesNotContain(secret[..200], text, StringComparison.Ordinal);
            // The only calls that carry numbers from outside the evaluator carry the model's own weights.
            foreach (var vector in args.OfType<double[][]>().SelectMany(v => v).Concat(args.OfType<double[]>()))
                Assert.DoesNotContain(inputVectors, input => input.Length > 0 && vector.Length >= input.Length && input.Where((x, i) => x != 0).Any() &&
                                                             input.Select((x, i) => x == vector[i]).All(b => b));
            Assert.Contains(function, new[] { "setup", "loadKeys", "load", "save", "release", "storePlain", "dotPlain", "addPlain", "add", "square", "rescale", "rotate" });
            if (function == "load") Assert.NotEmpty(Assert.IsType<string>(args[0]));
        }
        Assert.DoesNotContain(received, m => m.Function is "generateKeys" or "encrypt" or "decrypt" or "exportSecretKey");
    }

    [Fact]
    public void ACiphertextFromAnotherKeyIsRefusedByTheClientAndTheEvaluator()
    {
        using var other = NodeSeal.CreateClient(CkksParameters.TenSealMnist, []);
        var foreign = other.Encrypt([1.0, 2.0]);
        var e1 = Assert.Throws<ArgumentException>(() => fixture.Client.Decrypt(foreign, 2));
        Assert.Equal("ciphertext", e1.ParamName);
        Assert.Contains("another key", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => fixture.Evaluator.Load(foreign));
        Assert.Contains("another key", e2.Message);
        // Its own ciphertext decrypts to what was encrypted.
        var mine = other.Decrypt(foreign, 2);
        Assert.Equal(1.0, mine[0], 4);
        Assert.Equal(2.0, mine[1], 4);
    }

    [Fact]
    public void ParametersBelow128BitSecurityAreRefusedBySeal()
    {
        var insecure = new CkksParameters(4096, [31, 26, 26, 26, 26, 26, 26, 31], 26);
        var e = Assert.Throws<ArgumentException>(() => NodeSeal.CreateClient(insecure, []));
        Assert.Contains("SEAL rejects these CKKS parameters at 128-bit security", e.Message);
        Assert.Contains("at most 109 bits", e.Message);
    }

    [Fact]
    public void MissingNodeOrNodeSealSaysHowToInstallThem()
    {
        var e1 = Assert.Throws<NodeSealMissingException>(() =>
            NodeSeal.CreateClient(CkksParameters.TenSealMnist, [], new NodeSealOptions { NodeExecutable = "/nonexistent/bin/node" }));
        Assert.Contains("Node.js was not found at /nonexistent/bin/node", e1.Message);
        Assert.Contains("npm ci", e1.Message);
        var empty = Directory.CreateTempSubdirectory("no-node-seal-");
        try
        {
            var e2 = Assert.Throws<NodeSealMissingException>(() =>
                NodeSeal.CreateClient(CkksParameters.TenSealMnist, [], new NodeSealOptions { NodeModulesDirectory = empty.FullName }));
            Assert.Contains("node-seal was not found in", e2.Message);
            Assert.Contains("npm ci", e2.Message);
        }
        finally
        {
            empty.Delete(true);
        }
    }
}
