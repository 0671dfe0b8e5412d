using System.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralShield.Encrypted;

/// <summary>
/// A trained network converted for evaluation on CKKS ciphertexts: an optional first convolution (the client encodes its
/// input as im2col columns, one ciphertext per kernel position, as TenSEAL does), then dense layers and square
/// activations. The slots hold blocks of <see cref="BlockSize"/>, one image each, so <see cref="ImagesPerCiphertext"/>
/// images travel together. A dense layer is a Halevi–Shoup diagonal product on a vector repeated inside its block,
/// with baby-step giant-step rotations and a rotate-and-add over the repeats; every convolution, dense layer and square
/// takes one level.
/// </summary>
public sealed class CkksNetwork
{
    private readonly Conv? _conv;
    private readonly List<object> _stages;
    private readonly int _inputWidth;
    private readonly int _inputPeriod;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ICkksEvaluator, Dictionary<string, PlainHandle>> _stored = [];

    private CkksNetwork(CkksParameters parameters, Conv? conv, List<object> stages, int inputWidth, int blockSize, int levels, int outputs)
    {
        Parameters = parameters;
        _conv = conv;
        _stages = stages;
        _inputWidth = inputWidth;
        _inputPeriod = conv is null ? Pow2(inputWidth) : Pow2(conv.Outputs);
        BlockSize = blockSize;
        Levels = levels;
        Outputs = outputs;
        RotationSteps = stages.OfType<Dense>().SelectMany(d => d.Steps).Distinct().Order().ToArray();
    }

    /// <summary>The encryption parameters it was converted for.</summary>
    public CkksParameters Parameters { get; }

    /// <summary>Slots given to one image.</summary>
    public int BlockSize { get; }

    /// <summary>Images one evaluation carries: slots / <see cref="BlockSize"/>.</summary>
    public int ImagesPerCiphertext => Parameters.Slots / BlockSize;

    /// <summary>Ciphertexts the client sends per evaluation: one per kernel position of the convolution, or one.</summary>
    public int InputCiphertexts => _conv?.KernelPositions ?? 1;

    /// <summary>Multiplicative levels the network uses.</summary>
    public int Levels { get; }

    /// <summary>Outputs (logits) per image.</summary>
    public int Outputs { get; }

    /// <summary>The rotations the evaluator needs Galois keys for.</summary>
    public IReadOnlyList<int> RotationSteps { get; }

    /// <summary>
    /// Converts a <see cref="TorchSharp.Modules.Sequential"/> of <see cref="Conv2d"/> (first only, one group, no dilation),
    /// <see cref="Linear"/>, <see cref="SquareActivation"/> and <see cref="Flatten"/>, for inputs of <paramref name="inputShape"/>
    /// ([channels, height, width] or [features]).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A layer CKKS cannot evaluate (ReLU, max-pooling or anything else that is not a polynomial), a layout the slots cannot
    /// hold, or more levels than the parameters give.
    /// </exception>
    public static CkksNetwork FromModule(nn.Module<Tensor, Tensor> module, IReadOnlyList<long> inputShape, CkksParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(parameters);
        if (inputShape.Count is not (1 or 3) || inputShape.Any(d => d < 1))
            throw new ArgumentException($"expected [channels, height, width] or [features]; got [{string.Join(", ", inputShape)}]", nameof(inputShape));
        var layers = Flatten(module).ToList();
        Conv? conv = null;
        var stages = new List<object>();
        var width = (int)inputShape.Aggregate(1L, (a, b) => a * b);
        var inputWidth = width;
        var levels = 0;
        using var noGrad = torch.no_grad();
        for (var i = 0; i < layers.Count; i++)
        {
            var (name, layer) = layers[i];
            switch (layer)
            {
                case Conv2d c when i == 0 && inputShape.Count == 3:
                    conv = Conv.From(c, name, inputShape);
                    width = conv.Outputs;
                    levels++;
                    break;
                case Conv2d:
                    throw new ArgumentException($"layer '{name}' (Conv2d): only the first layer may be a convolution, on a [channels, height, width] input (the client encodes it as im2col columns)", nameof(module));
                case Linear l:
                    var dense = Dense.From(l, name, width);
                    stages.Add(dense);
                    width = dense.M;
                    levels++;
                    break;
                case SquareActivation:
                    stages.Add(SquareStage.Instance);
                    levels++;
                    break;
                case TorchSharp.Modules.Flatten:
                    break;
                case ReLU or LeakyReLU or ReLU6 or GELU or SiLU or ELU or Softplus:
                    throw new ArgumentException($"layer '{name}' ({layer.GetType().Name}) cannot be evaluated under CKKS: it compares with zero, and CKKS evaluates only additions and multiplications. " +
                                                $"Train the network with {nameof(SquareActivation)} (CryptoNets) or another polynomial activation.", nameof(module));
                case MaxPool1d or MaxPool2d or MaxPool3d or AdaptiveMaxPool2d:
                    throw new ArgumentException($"layer '{name}' ({layer.GetType().Name}) cannot be evaluated under CKKS: a maximum needs comparisons, and CKKS evaluates only additions and multiplications. " +
                                                "Use a strided convolution or average pooling instead.", nameof(module));
                default:
                    throw new ArgumentException($"layer '{name}' ({layer.GetType().Name}) cannot be evaluated under CKKS: only Conv2d (first), Linear, {nameof(SquareActivation)} and Flatten are supported", nameof(module));
            }
        }
        if (stages.Count == 0 || stages[^1] is not Dense)
            throw new ArgumentException("expected the network to end with a Linear layer (the logits)", nameof(module));
        if (levels > parameters.Levels)
            throw new ArgumentException($"the network needs {levels} multiplicative levels; the parameters ({parameters}) give {parameters.Levels}", nameof(parameters));

        var period = conv is null ? Pow2(inputWidth) : Pow2(conv.Outputs);
        var block = 2 * Math.Max(period, stages.OfType<Dense>().Max(d => d.Span));
        if (block > parameters.Slots)
            throw new ArgumentException($"one image needs {block} slots in this layout; the parameters give {parameters.Slots}", nameof(parameters));
        // Each dense layer reads its input up to Span - 1 slots ahead: what stays valid shrinks by that much.
        var valid = block;
        foreach (var dense in stages.OfType<Dense>()) valid -= dense.Span - 1;
        if (valid < ((Dense)stages[^1]).M)
            throw new ArgumentException($"the layers are too wide for a block of {block} slots", nameof(module));
        return new CkksNetwork(parameters, conv, stages, inputWidth, block, levels, ((Dense)stages[^1]).M);
    }

    /// <summary>
    /// Client side: the plaintext slot vectors of <paramref name="images"/> (each flattened, at most
    /// <see cref="ImagesPerCiphertext"/>), one per input ciphertext, ready to encrypt.
    /// </summary>
    /// <exception cref="ArgumentException">No image, too many, or one of the wrong length.</exception>
    public IReadOnlyList<double[]> EncodeInputs(IReadOnlyList<float[]> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count < 1 || images.Count > ImagesPerCiphertext)
            throw new ArgumentException($"expected 1 to {ImagesPerCiphertext} images per evaluation; got {images.Count}", nameof(images));
        foreach (var image in images)
            if (image is null || image.Length != _inputWidth)
                throw new ArgumentException($"expected images of {_inputWidth} values", nameof(images));
        var used = images.Count * BlockSize;
        var vectors = new double[InputCiphertexts][];
        for (var k = 0; k < vectors.Length; k++)
        {
            var v = vectors[k] = new double[used];
            for (var t = 0; t < images.Count; t++)
                for (var j = 0; j < BlockSize; j++)
                {
                    var q = j % _inputPeriod;
                    v[t * BlockSize + j] = _conv is null ? (q < _inputWidth ? images[t][q] : 0) : _conv.Pixel(images[t], q, k);
                }
        }
        return vectors;
    }

    /// <summary>Evaluator side: the network on the input ciphertexts (from <see cref="EncodeInputs"/>); the logits are in the returned ciphertext.</summary>
    public CiphertextHandle Evaluate(ICkksEvaluator evaluator, IReadOnlyList<CiphertextHandle> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != InputCiphertexts) throw new ArgumentException($"expected {InputCiphertexts} input ciphertexts; got {inputs.Count}", nameof(inputs));
        if (evaluator.Parameters != Parameters) throw new ArgumentException($"the evaluator's parameters ({evaluator.Parameters}) are not the network's ({Parameters})", nameof(evaluator));
        var live = new List<CiphertextHandle>();
        CiphertextHandle Keep(CiphertextHandle h) { live.Add(h); return h; }
        CiphertextHandle current;
        if (_conv is not null)
        {
            var sum = Keep(evaluator.DotPlain(inputs, Enumerable.Range(0, inputs.Count).Select(k => Plain(evaluator, $"conv.w{k}", j => _conv.Weight(j % _inputPeriod, k))).ToArray(), cancellationToken));
            var biased = Keep(evaluator.AddPlain(sum, Plain(evaluator, "conv.b", j => _conv.BiasAt(j % _inputPeriod)), cancellationToken));
            current = Keep(evaluator.Rescale(biased, cancellationToken));
        }
        else current = inputs[0];
        foreach (var stage in _stages)
        {
            if (stage is Dense dense) current = ApplyDense(evaluator, dense, $"dense{_stages.IndexOf(stage)}", current, Keep, cancellationToken);
            else current = Keep(evaluator.Rescale(Keep(evaluator.Square(current, cancellationToken)), cancellationToken));
        }
        live.Remove(current);
        evaluator.Release(live);
        return current;
    }

    /// <summary>Client side: the logits of each of the first <paramref name="images"/> blocks of the decrypted slots.</summary>
    public double[][] DecodeOutputs(IReadOnlyList<double> slots, int images)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (images < 1 || images > ImagesPerCiphertext || slots.Count < (images - 1) * BlockSize + Outputs)
            throw new ArgumentException($"expected 1 to {ImagesPerCiphertext} images and their slots", nameof(images));
        return Enumerable.Range(0, images).Select(t => Enumerable.Range(0, Outputs).Select(r => slots[t * BlockSize + r]).ToArray()).ToArray();
    }

    /// <summary>
    /// The whole round trip for a batch: the client encodes and encrypts, the evaluator computes, the client decrypts;
    /// images are sent <see cref="ImagesPerCiphertext"/> at a time. Returns the logits of each image.
    /// </summary>
    public double[][] Infer(ICkksClient client, ICkksEvaluator evaluator, IReadOnlyList<float[]> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(images);
        var result = new List<double[]>();
        for (var start = 0; start < images.Count; start += ImagesPerCiphertext)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = images.Skip(start).Take(ImagesPerCiphertext).ToArray();
            var ciphertexts = EncodeInputs(batch).Select(v => client.Encrypt(v, cancellationToken)).ToArray();
            var inputs = ciphertexts.Select(c => evaluator.Load(c, cancellationToken)).ToArray();
            var output = Evaluate(evaluator, inputs, cancellationToken);
            var reply = evaluator.Save(output, cancellationToken);
            evaluator.Release([.. inputs, output]);
            result.AddRange(DecodeOutputs(client.Decrypt(reply, (batch.Length - 1) * BlockSize + Outputs, cancellationToken), batch.Length));
        }
        return [.. result];
    }

    private CiphertextHandle ApplyDense(ICkksEvaluator evaluator, Dense dense, string name, CiphertextHandle input, Func<CiphertextHandle, CiphertextHandle> keep, CancellationToken ct)
    {
        var babies = new CiphertextHandle[dense.Baby];
        babies[0] = input;
        for (var b = 1; b < dense.Baby; b++) babies[b] = keep(evaluator.Rotate(input, b, ct));
        var giants = new List<CiphertextHandle>();
        for (var g = 0; g < dense.Giant; g++)
        {
            var shift = g * dense.Baby;
            var plains = Enumerable.Range(0, dense.Baby).Select(b => Plain(evaluator, $"{name}.d{shift + b}", j => dense.Diagonal(shift + b, j - shift))).ToArray();
            var u = keep(evaluator.DotPlain(babies, plains, ct));
            giants.Add(g == 0 ? u : keep(evaluator.Rotate(u, shift, ct)));
        }
        var sum = giants.Count == 1 ? giants[0] : keep(evaluator.Add(giants, ct));
        for (var s = dense.Span / 2; s >= dense.Rows; s /= 2)
            sum = keep(evaluator.Add([sum, keep(evaluator.Rotate(sum, s, ct))], ct));
        var biased = keep(evaluator.AddPlain(sum, Plain(evaluator, name + ".b", j => (j % dense.Rows) < dense.M ? dense.Bias[j % dense.Rows] : 0), ct));
        return keep(evaluator.Rescale(biased, ct));
    }

    /// <summary>The weight vector <paramref name="key"/>, stored on the evaluator the first time it is needed there.</summary>
    private PlainHandle Plain(ICkksEvaluator evaluator, string key, Func<int, double> value)
    {
        var stored = _stored.GetOrCreateValue(evaluator);
        lock (stored)
        {
            if (!stored.TryGetValue(key, out var handle)) stored[key] = handle = evaluator.StorePlain(Fill(value));
            return handle;
        }
    }

    /// <summary>A slot vector over every block: value(j) for j the position inside the block.</summary>
    private double[] Fill(Func<int, double> value)
    {
        var block = new double[BlockSize];
        for (var j = 0; j < BlockSize; j++) block[j] = value(j);
        var v = new double[Parameters.Slots];
        for (var t = 0; t < ImagesPerCiphertext; t++) block.CopyTo(v, t * BlockSize);
        return v;
    }

    private static int Pow2(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)n);

    private static IEnumerable<(string Name, nn.Module Layer)> Flatten(nn.Module module)
    {
        if (module is Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children())
                foreach (var inner in Flatten(child)) yield return (inner.Name == "" ? name : $"{name}.{inner.Name}", inner.Layer);
        }
        else yield return ("", module);
    }

    private static double[] Values(Tensor t) => t.detach().cpu().to_type(ScalarType.Float64).data<double>().ToArray();

    private sealed class SquareStage
    {
        public static readonly SquareStage Instance = new();
    }

    /// <summary>The first convolution, read by im2col: output q = c · positions + p, kernel position k = (ci, ky, kx).</summary>
    private sealed class Conv
    {
        private double[] _weight = [];
        private double[] _bias = [];
        private int _cin, _h, _w, _kh, _kw, _stride, _pad, _outW, _positions, _channels;

        public int Outputs => _channels * _positions;

        public int KernelPositions => _cin * _kh * _kw;

        public static Conv From(Conv2d c, string name, IReadOnlyList<long> shape)
        {
            if (c.groups != 1 || c.dilation.Any(d => d != 1))
                throw new ArgumentException($"layer '{name}' (Conv2d): groups and dilation other than 1 are not supported", nameof(c));
            if (c.padding_mode != PaddingModes.Zeros)
                throw new ArgumentException($"layer '{name}' (Conv2d): only zero padding is supported", nameof(c));
            var pad = c.padding is null ? 0 : (int)c.padding[0];
            if (c.padding is not null && c.padding.Any(p => p != pad) || c.stride.Any(s => s != c.stride[0]))
                throw new ArgumentException($"layer '{name}' (Conv2d): expected the same stride and padding along both axes", nameof(c));
            var conv = new Conv
            {
                _cin = (int)shape[0], _h = (int)shape[1], _w = (int)shape[2],
                _kh = (int)c.kernel_size[0], _kw = (int)c.kernel_size[1], _stride = (int)c.stride[0], _pad = pad,
                _channels = (int)c.out_channels,
            };
            if (c.in_channels != conv._cin) throw new ArgumentException($"layer '{name}' (Conv2d) takes {c.in_channels} channels; the input has {conv._cin}", nameof(shape));
            var outH = (conv._h + 2 * pad - conv._kh) / conv._stride + 1;
            conv._outW = (conv._w + 2 * pad - conv._kw) / conv._stride + 1;
            if (outH < 1 || conv._outW < 1) throw new ArgumentException($"layer '{name}' (Conv2d): the kernel is larger than the input", nameof(shape));
            conv._positions = outH * conv._outW;
            conv._weight = Values(c.weight!);
            conv._bias = c.bias is null ? new double[conv._channels] : Values(c.bias);
            return conv;
        }

        public double Pixel(float[] image, int q, int k)
        {
            if (q >= Outputs) return 0;
            var p = q % _positions;
            var (oy, ox) = (p / _outW, p % _outW);
            var (ci, rest) = (k / (_kh * _kw), k % (_kh * _kw));
            var (iy, ix) = (oy * _stride - _pad + rest / _kw, ox * _stride - _pad + rest % _kw);
            return iy < 0 || iy >= _h || ix < 0 || ix >= _w ? 0 : image[(ci * _h + iy) * _w + ix];
        }

        public double Weight(int q, int k) => q < Outputs ? _weight[q / _positions * KernelPositions + k] : 0;

        public double BiasAt(int q) => q < Outputs ? _bias[q / _positions] : 0;
    }
}
