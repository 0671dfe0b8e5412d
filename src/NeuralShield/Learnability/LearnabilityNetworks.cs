using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace NeuralShield.Learnability;

/// <summary>
/// Networks for <see cref="LearnabilityOptions.Network"/>: each is a factory (input features, output logits, seed) →
/// a module mapping [N, inputs] to [N, outputs].
/// </summary>
public static class LearnabilityNetworks
{
    /// <summary>A fully connected ReLU network with the given hidden widths (the audit's default, with <see cref="LearnabilityOptions.Hidden"/>).</summary>
    public static Func<int, int, long, Module<Tensor, Tensor>> Mlp(IReadOnlyList<int> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var widths = hidden.ToArray();
        return (inputs, outputs, seed) => Models.ModelZoo.Mlp(inputs, widths, outputs, Models.Activation.ReLU, seed);
    }

    /// <summary>
    /// Gohr's bit-sliced residual network (CRYPTO 2019, agohr/deep_speck <c>make_resnet</c>): the input is
    /// <paramref name="words"/> words of <paramref name="wordBits"/> bits (most significant first), read as a sequence of
    /// bit positions with one channel per word; a width-1 convolution to <paramref name="filters"/> channels,
    /// <paramref name="depth"/> residual blocks of two width-3 convolutions (batch norm, ReLU), then two dense layers of 64
    /// (batch norm, ReLU) and the output layer.
    /// </summary>
    public static Func<int, int, long, Module<Tensor, Tensor>> BitSlicedResNet(int words, int wordBits, int filters = 32, int depth = 1)
    {
        Guard.Positive(words, nameof(words));
        Guard.Positive(wordBits, nameof(wordBits));
        Guard.Positive(filters, nameof(filters));
        Guard.Positive(depth, nameof(depth));
        return (inputs, outputs, seed) =>
        {
            if (inputs != words * wordBits)
                throw new ArgumentException($"the bit-sliced network reads {words}×{wordBits} = {words * wordBits} input bits; the target has {inputs}.", nameof(inputs));
            random.manual_seed(seed);
            return new BitSliced(words, wordBits, filters, depth, outputs);
        };
    }

    private sealed class BitSliced : Module<Tensor, Tensor>
    {
        private readonly int _words, _bits;
        private readonly Sequential _stem, _head;
        private readonly ModuleList<Sequential> _blocks = new();

        public BitSliced(int words, int bits, int filters, int depth, int outputs) : base(nameof(BitSliced))
        {
            (_words, _bits) = (words, bits);
            _stem = Sequential(Conv1d(words, filters, 1), BatchNorm1d(filters), ReLU());
            for (var i = 0; i < depth; i++)
                _blocks.Add(Sequential(Conv1d(filters, filters, 3, padding: 1), BatchNorm1d(filters), ReLU(),
                    Conv1d(filters, filters, 3, padding: 1), BatchNorm1d(filters), ReLU()));
            _head = Sequential(Flatten(), Linear(filters * bits, 64), BatchNorm1d(64), ReLU(), Linear(64, 64), BatchNorm1d(64), ReLU(), Linear(64, outputs));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = _stem.forward(input.view(-1, _words, _bits));
            foreach (var block in _blocks) x = x + block.forward(x);
            return _head.forward(x).MoveToOuterDisposeScope();
        }
    }
}
