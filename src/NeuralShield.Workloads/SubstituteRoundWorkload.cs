using NeuralShield.Attacks;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>
/// One Jacobian-augmentation round of substitute training (Papernot et al. 2017) against a LeNet-5 oracle: the seeds
/// labelled by the oracle, a LeNet-5 substitute trained on them, every point's child x + λ·sign(∂F_Õ(x)/∂x) labelled by
/// the oracle, and the substitute trained on for the doubled set (<see cref="SubstituteTraining.Continue"/>, a fresh Adam).
/// </summary>
internal sealed class SubstituteRoundWorkload : Workload
{
    private const int Epochs = 2;
    private const double Lambda = 0.1;
    private readonly TorchClassifier _oracle;
    private readonly Tensor _seeds;
    private readonly int _batch;

    public SubstituteRoundWorkload(Device device, int seeds, int batch) : base(device)
    {
        _oracle = LeNet(device, seed: 1);
        _seeds = Images(seeds, device);
        _batch = batch;
        var batches = (seeds + batch - 1) / batch + (2 * seeds + batch - 1) / batch;
        Steps = Epochs * batches;
        What = $"substitute round: {seeds} seeds labelled, LeNet-5 trained {Epochs} epochs, {seeds} children labelled, trained {Epochs} epochs on {2 * seeds}, batch {batch}, Adam";
    }

    public override void Library()
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 2, Lambda = Lambda, Training = SubstituteTraining.Continue, Seed = 0,
            Substitute = new ModelRecipe
            {
                Architecture = seed => ModelZoo.LeNet5(seed: seed),
                Training = new TrainingOptions { Epochs = Epochs, BatchSize = _batch, LearningRate = 1e-3, Seed = 0 },
                Device = Device,
            },
        });
        using var result = attack.Extract(_oracle, _seeds, new QueryBudget(2 * _seeds.shape[0]));
        Synchronize();
    }

    /// <summary>
    /// The round by hand: oracle argmax, Adam epochs over seeded permutations, the substitute's agreement with the oracle
    /// on its training set after each training (the result reports it), the softmax-output input gradient, the children,
    /// their labels.
    /// </summary>
    public override void Bare()
    {
        using var scope = NewDisposeScope();
        var substitute = ModelZoo.LeNet5(seed: 0);
        substitute.to(Device);
        var oracle = _oracle.Module;
        Tensor Label(Tensor x)
        {
            using var _ = no_grad();
            return oracle.forward(x).argmax(1);
        }
        var x = _seeds;
        var y = Label(x);
        Train(substitute, x, y);
        substitute.eval();
        var leaf = x.detach().requires_grad_(true);
        var output = substitute.forward(leaf).softmax(1).gather(1, y.unsqueeze(1)).sum();
        var gradient = autograd.grad([output], [leaf])[0];
        Tensor children;
        using (no_grad()) children = (x + Lambda * gradient.sign()).clamp(0, 1);
        var grownX = cat([x, children], 0);
        var grownY = cat([y, Label(children)], 0);
        Train(substitute, grownX, grownY);
        substitute.Dispose();
        Synchronize();
    }

    private void Train(nn.Module<Tensor, Tensor> module, Tensor x, Tensor y)
    {
        module.train();
        using var optimizer = optim.Adam(module.parameters(), lr: 1e-3);
        var n = (int)x.shape[0];
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            using var order = LabeledData.Permutation(n, epoch, CPU);
            for (var start = 0; start < n; start += _batch)
            {
                using var step = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(_batch, n - start)).to(Device);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(module.forward(x.index_select(0, index)), y.index_select(0, index));
                loss.backward();
                optimizer.step();
                GC.KeepAlive(loss.item<float>());
            }
        }
        module.eval();
        using var _ = no_grad();
        using var agreement = module.forward(x).argmax(1).eq(y).to_type(ScalarType.Float64).mean();
        GC.KeepAlive(agreement.item<double>());
    }

    public override void Dispose()
    {
        _oracle.Dispose();
        _seeds.Dispose();
    }
}
