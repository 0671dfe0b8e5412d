using TorchSharp.Modules;

namespace NeuralShield.Privacy;

/// <summary>
/// Per-sample gradients of the cross-entropy loss for models whose trainable parameters all sit in <c>Linear</c> and
/// <c>Conv2d</c> layers (any nesting; each such layer called once per forward pass), computed in one forward and one
/// backward pass for the whole batch.
/// <para>
/// How: TorchSharp 0.107 has no vmap and no backward hooks (no module <c>register_full_backward_hook</c>, no tensor
/// <c>register_hook</c>), but it has forward hooks. A forward hook on each Linear/Conv2d layer keeps its input a_l and
/// its output z_l (and hands the next layer an alias of z_l, because <c>nn.Sequential</c> disposes intermediate
/// results); one <c>autograd.grad</c> of the summed per-sample losses with respect to the list of outputs gives
/// g_l = ∂(Σ_n L_n)/∂z_l, whose row n is sample n's own gradient. Then, per sample n: Linear weight g_n a_nᵀ
/// (<c>einsum("ni,nj->nij")</c>; inputs with extra dimensions are summed over them), bias g_n; Conv2d weight
/// g_n · unfold(a_n)ᵀ (im2col with the layer's kernel, dilation, padding and stride, then a batched matrix product),
/// bias g_n summed over the spatial positions.
/// </para>
/// <para>
/// Refused: parameters in other layers (batch normalisation mixes samples, so it has no per-sample gradient), grouped
/// or transposed convolutions, padding modes other than zeros, a layer used more than once per pass.
/// </para>
/// </summary>
public static class PerSampleGradients
{
    /// <summary>
    /// The gradient of each sample's cross-entropy loss with respect to each trainable parameter of
    /// <paramref name="model"/>: one tensor [N, ...parameter shape] per parameter, in <c>model.parameters()</c> order.
    /// The caller disposes the tensors.
    /// </summary>
    /// <exception cref="ArgumentException">The model holds parameters this class cannot handle (see the class remarks).</exception>
    public static IReadOnlyList<(string Name, Tensor Gradient)> Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        var layers = Layers.Of(model, nameof(model));
        using var scope = NewDisposeScope();
        var trace = Trace.Run(model, layers, inputs, labels);
        var result = new List<(string, Tensor)>();
        using (no_grad())
        {
            foreach (var layer in layers)
            {
                var (weight, bias) = trace.Materialize(layer);
                if (layer.Weight.requires_grad) result.Add((layer.WeightName, weight.MoveToOuterDisposeScope()));
                if (layer.Bias is { requires_grad: true }) result.Add((layer.BiasName!, bias!.MoveToOuterDisposeScope()));
            }
        }
        var order = model.named_parameters().Where(p => p.parameter.requires_grad).Select((p, i) => (p.name, i)).ToDictionary(p => p.name, p => p.i);
        return result.OrderBy(r => order[r.Item1]).ToArray();
    }

    /// <summary>The layer holding trainable parameters, as this class sees it.</summary>
    internal sealed record Layer(nn.Module<Tensor, Tensor> Module, Parameter Weight, Parameter? Bias, string WeightName, string? BiasName, Conv2d? Conv)
    {
        /// <summary>Whether this is a Linear layer.</summary>
        public bool IsLinear => Conv is null;

        /// <summary>Layers are compared by reference (their tensors define no value equality).</summary>
        public bool Equals(Layer? other) => ReferenceEquals(this, other);

        /// <inheritdoc />
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    }

    /// <summary>Finds and checks the Linear/Conv2d layers of a model.</summary>
    internal static class Layers
    {
        public static IReadOnlyList<Layer> Of(nn.Module<Tensor, Tensor> model, string parameterName)
        {
            var layers = new List<Layer>();
            // named_modules() lists a container's layers but not the module itself: a model that is one Linear or Conv2d
            // layer is its own only layer.
            var modules = model.named_modules().ToList();
            if (!modules.Any(m => ReferenceEquals(m.module, model))) modules.Insert(0, ("", model));
            foreach (var (name, module) in modules)
            {
                var own = module.named_parameters(false).Where(p => p.parameter.requires_grad).ToList();
                if (own.Count == 0) continue;
                var prefix = name.Length == 0 ? "" : name + ".";
                switch (module)
                {
                    case Linear linear:
                        layers.Add(new Layer(linear, linear.weight!, linear.bias, prefix + "weight", linear.bias is null ? null : prefix + "bias", null));
                        break;
                    case Conv2d conv:
                        if (conv.groups != 1)
                            throw new ArgumentException($"Layer '{name}' of {parameterName} is a grouped convolution (groups = {conv.groups}); per-sample gradients support groups = 1 only.", parameterName);
                        if (conv.transposed)
                            throw new ArgumentException($"Layer '{name}' of {parameterName} is a transposed convolution, which per-sample gradients do not support.", parameterName);
                        if (conv.padding_mode != PaddingModes.Zeros)
                            throw new ArgumentException($"Layer '{name}' of {parameterName} pads with {conv.padding_mode}; per-sample gradients support zero padding only.", parameterName);
                        layers.Add(new Layer(conv, conv.weight!, conv.bias, prefix + "weight", conv.bias is null ? null : prefix + "bias", conv));
                        break;
                    default:
                        throw new ArgumentException(
                            $"Layer '{name}' of {parameterName} ({module.GetType().Name}) has trainable parameters; per-sample gradients support parameters in Linear and Conv2d layers only " +
                            "(batch normalisation mixes samples and cannot be made differentially private this way).", parameterName);
                }
            }
            if (layers.Count == 0) throw new ArgumentException($"{parameterName} has no trainable parameters.", parameterName);
            return layers;
        }
    }

    /// <summary>One forward and backward pass with the layers' inputs and output gradients kept (inside the caller's dispose scope).</summary>
    internal sealed class Trace
    {
        private readonly Dictionary<Layer, (Tensor Input, Tensor OutputGrad)> _captures;

        private Trace(Tensor losses, Dictionary<Layer, (Tensor, Tensor)> captures)
        {
            Losses = losses;
            _captures = captures;
        }

        /// <summary>The per-sample losses [N] (detached).</summary>
        public Tensor Losses { get; }

        /// <summary>Whether the layer took part in the forward pass (an unused layer has zero gradients).</summary>
        public bool Has(Layer layer) => _captures.ContainsKey(layer);

        /// <summary>The layer's input a_l (detached) and the gradient of the summed loss with respect to its output.</summary>
        public (Tensor Input, Tensor OutputGrad) this[Layer layer] => _captures[layer];

        public static Trace Run(nn.Module<Tensor, Tensor> model, IReadOnlyList<Layer> layers, Tensor inputs, Tensor labels)
        {
            var seen = new Dictionary<Layer, (Tensor Input, Tensor Output)>();
            var removers = new List<Action>();
            try
            {
                foreach (var layer in layers)
                {
                    var l = layer;
                    var remover = layer.Module.register_forward_hook((_, input, output) =>
                    {
                        if (seen.ContainsKey(l))
                            throw new InvalidOperationException($"Layer '{l.WeightName}' ran twice in one forward pass; per-sample gradients need each layer used once.");
                        seen[l] = (input.detach(), output);
                        return output.alias();
                    });
                    removers.Add(remover.remove);
                }
                using var enabled = enable_grad();
                var logits = model.call(inputs);
                var losses = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
                var used = layers.Where(seen.ContainsKey).ToList();
                var captures = new Dictionary<Layer, (Tensor, Tensor)>();
                if (used.Count > 0)
                {
                    var grads = autograd.grad([losses.sum()], used.Select(l => seen[l].Output).ToList(), allow_unused: true);
                    for (var i = 0; i < used.Count; i++)
                    {
                        var g = grads[i] is { IsInvalid: false } gi ? gi : zeros_like(seen[used[i]].Output);
                        captures[used[i]] = (seen[used[i]].Input, g);
                    }
                }
                return new Trace(losses.detach(), captures);
            }
            finally
            {
                foreach (var remove in removers) remove();
            }
        }

        /// <summary>The layer's per-sample weight [N, ...] and bias [N, ...] gradients (no autograd).</summary>
        public (Tensor Weight, Tensor? Bias) Materialize(Layer layer)
        {
            if (!Has(layer))
            {
                var n = Losses.shape[0];
                return (zeros([n, .. layer.Weight.shape], device: layer.Weight.device),
                    layer.Bias is null ? null : zeros([n, .. layer.Bias.shape], device: layer.Bias.device));
            }
            var (a, g) = this[layer];
            var batch = g.shape[0];
            if (layer.IsLinear)
            {
                if (g.dim() == 2) return (einsum("ni,nj->nij", g, a), layer.Bias is null ? null : g.clone());
                var g3 = g.reshape(batch, -1, g.shape[^1]);
                var a3 = a.reshape(batch, -1, a.shape[^1]);
                return (einsum("nti,ntj->nij", g3, a3), layer.Bias is null ? null : g3.sum(1));
            }
            var (columns, grads) = Unfolded(layer, a, g);
            var weight = bmm(grads, columns.transpose(1, 2)).reshape([batch, .. layer.Weight.shape]);
            return (weight, layer.Bias is null ? null : grads.sum(2));
        }

        /// <summary>
        /// Squared norm [N] of each sample's gradient over the layer's parameters. For a Linear layer on [N, in] inputs
        /// ‖g_n a_nᵀ‖² = ‖g_n‖²·‖a_n‖², so nothing per sample is materialised; otherwise the per-sample gradients are
        /// materialised and returned for the weighted sum.
        /// </summary>
        public (Tensor SquaredNorms, Tensor? Weight, Tensor? Bias) SquaredNorms(Layer layer)
        {
            if (!Has(layer)) return (zeros(Losses.shape[0], device: layer.Weight.device), null, null);
            var (a, g) = this[layer];
            if (layer.IsLinear && g.dim() == 2)
            {
                var gg = g.square().sum(1);
                var norms = layer.Weight.requires_grad ? gg * a.square().sum(1) : zeros_like(gg);
                if (layer.Bias is { requires_grad: true }) norms = norms + gg;
                return (norms, null, null);
            }
            var (w, b) = Materialize(layer);
            var total = layer.Weight.requires_grad ? w.flatten(1).square().sum(1) : zeros(w.shape[0], device: w.device);
            if (b is not null && layer.Bias!.requires_grad) total = total + b.flatten(1).square().sum(1);
            return (total, w, b);
        }

        /// <summary>Σ_n c_n × (sample n's gradient) for the layer's weight and bias, with <paramref name="factors"/> c [N].</summary>
        public (Tensor Weight, Tensor? Bias) WeightedSum(Layer layer, Tensor factors, Tensor? materializedWeight, Tensor? materializedBias)
        {
            if (!Has(layer)) return (zeros_like(layer.Weight), layer.Bias is null ? null : zeros_like(layer.Bias));
            if (materializedWeight is null)
            {
                var (a, g) = this[layer];
                var scaled = g * factors.unsqueeze(1);
                return (scaled.t().mm(a), layer.Bias is null ? null : scaled.sum(0L));
            }
            var w = tensordot(factors, materializedWeight, [0], [0]);
            var b = materializedBias is null ? null : tensordot(factors, materializedBias, [0], [0]);
            return (w, b);
        }

        private static (Tensor Columns, Tensor Grads) Unfolded(Layer layer, Tensor a, Tensor g)
        {
            var conv = layer.Conv!;
            var k = conv.kernel_size;
            var dilation = conv.dilation;
            var padding = Padding(conv);
            var columns = nn.functional.unfold(a, (k[0], k[1]), (dilation[0], dilation[1]), (padding[0], padding[1]), (conv.stride[0], conv.stride[1]));
            var grads = g.reshape(g.shape[0], g.shape[1], -1);
            if (columns.shape[2] != grads.shape[2])
                throw new InvalidOperationException($"The unfolded input of layer '{layer.WeightName}' has {columns.shape[2]} positions but its output {grads.shape[2]}.");
            return (columns, grads);
        }

        private static long[] Padding(Conv2d conv)
        {
            if (conv.padding_type is { } type)
            {
                if (type == TorchSharp.Padding.Valid) return [0, 0];
                var total = conv.kernel_size.Select((k, i) => conv.dilation[i] * (k - 1)).ToArray();
                if (total.Any(t => t % 2 != 0))
                    throw new ArgumentException("'same' padding with an even effective kernel pads asymmetrically, which per-sample gradients do not support.");
                return total.Select(t => t / 2).ToArray();
            }
            var p = conv.padding ?? [0L];
            return p.Length == 1 ? [p[0], p[0]] : [p[0], p[1]];
        }
    }
}
