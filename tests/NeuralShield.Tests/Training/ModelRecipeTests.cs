using NeuralShield.Models;
using NeuralShield.Tests.Defenses;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>A module that forwards to another and remembers whether it was disposed.</summary>
internal sealed class DisposalTrackingModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;

    public DisposalTrackingModule(nn.Module<Tensor, Tensor> inner) : base(nameof(DisposalTrackingModule))
    {
        this.inner = inner;
        RegisterComponents();
    }

    public bool Disposed { get; private set; }

    public override Tensor forward(Tensor input) => inner.forward(input);

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>A step that records the model it trains and throws on its first call.</summary>
internal sealed class ThrowingStep : ITrainingStep
{
    public nn.Module<Tensor, Tensor>? Model { get; private set; }

    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        Model = context.Model;
        throw new InvalidOperationException("step failed on purpose");
    }
}

/// <summary>
/// <see cref="ModelRecipe"/> creates and trains seeded models, disposes the module when training fails, and refuses
/// architectures that give nothing to train; <see cref="ModuleState"/> snapshots and restores a module's state.
/// </summary>
public class ModelRecipeTests
{
    private readonly List<DisposalTrackingModule> created = [];

    private ModelRecipe Recipe(long seed = 0) => new()
    {
        Architecture = s =>
        {
            var module = new DisposalTrackingModule(ModelZoo.Mlp(4, [8], 3, Activation.ReLU, s));
            created.Add(module);
            return module;
        },
        Training = new TrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 1e-2, Seed = 1 },
        Seed = seed,
    };

    [Fact]
    public void TrainIsDeterministicForASeedAndDiffersForAnotherSeedOffset()
    {
        using var data = TestModels.Blobs(48, 4, seed: 1);
        var recipe = Recipe(seed: 5);
        using var a = recipe.Train(data);
        using var b = recipe.Train(data);
        using var c = recipe.Train(data, seedOffset: 1);
        Assert.True(Weights.Identical(a.Classifier.Module, b.Classifier.Module));
        Assert.False(Weights.Identical(a.Classifier.Module, c.Classifier.Module));
        Assert.Equal(3, a.Training.Epochs.Count);
        Assert.Equal(3, a.Classifier.ClassCount);
        Assert.Equal([4L], a.Classifier.InputShape!);
    }

    [Fact]
    public void TheSeedOffsetIsAddedToTheSeed()
    {
        using var data = TestModels.Blobs(48, 4, seed: 1);
        using var offset = Recipe(seed: 5).Train(data, seedOffset: 2);
        using var direct = Recipe(seed: 7).Train(data);
        Assert.True(Weights.Identical(offset.Classifier.Module, direct.Classifier.Module));
    }

    [Fact]
    public void ASuccessfulTrainHandsTheModuleToTheClassifierWhichDisposesIt()
    {
        using var data = TestModels.Blobs(32, 4, seed: 2);
        var trained = Recipe().Train(data);
        var module = Assert.Single(created);
        Assert.Same(module, trained.Classifier.Module);
        Assert.False(module.Disposed);
        trained.Dispose();
        Assert.True(module.Disposed);
    }

    [Fact]
    public void TheModuleIsDisposedWhenTheStepThrows()
    {
        using var data = TestModels.Blobs(32, 4, seed: 2);
        var step = new ThrowingStep();
        var e = Assert.Throws<InvalidOperationException>(() => Recipe().Train(data, step: step));
        Assert.Equal("step failed on purpose", e.Message);
        var module = Assert.Single(created);
        Assert.Same(module, step.Model);
        Assert.True(module.Disposed);
    }

    [Fact]
    public void TheModuleIsDisposedWhenTrainingIsCancelled()
    {
        using var data = TestModels.Blobs(32, 4, seed: 2);
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Recipe().Train(data, cancellationToken: source.Token));
        Assert.True(Assert.Single(created).Disposed);
    }

    [Fact]
    public void TheModuleIsDisposedWhenCancelledMidRun()
    {
        using var data = TestModels.Blobs(64, 4, seed: 2);
        using var source = new CancellationTokenSource();
        var progress = new Callback<EpochReport>(r => { if (r.Epoch == 1) source.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Recipe().Train(data, progress: progress, cancellationToken: source.Token));
        Assert.True(Assert.Single(created).Disposed);
    }

    [Fact]
    public void CreateRefusesAnArchitectureThatReturnsNull()
    {
        var recipe = new ModelRecipe { Architecture = _ => null! };
        Assert.Throws<InvalidOperationException>(() => recipe.Create());
    }

    [Fact]
    public void CreateRefusesAndDisposesAParameterlessModule()
    {
        DisposalTrackingModule? made = null;
        var recipe = new ModelRecipe { Architecture = _ => made = new DisposalTrackingModule(nn.ReLU()) };
        Assert.Throws<InvalidOperationException>(() => recipe.Create());
        Assert.NotNull(made);
        Assert.True(made!.Disposed);
    }

    [Fact]
    public void CreateSeedsTheWeightsWithSeedPlusOffset()
    {
        var recipe = new ModelRecipe { Architecture = s => ModelZoo.Mlp(4, [8], 3, Activation.ReLU, s), Seed = 3 };
        using var a = recipe.Create(seedOffset: 4);
        using var b = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 7);
        Assert.True(Weights.Identical(a, b));
    }

    [Fact]
    public void ValidationNamesAMissingArchitecture()
    {
        var recipe = new ModelRecipe { Architecture = null! };
        var e = Assert.Throws<ArgumentException>(() => recipe.Validated());
        Assert.Equal("Architecture", e.ParamName);
    }

    [Fact]
    public void ValidationNamesMissingTraining()
    {
        var noTraining = new ModelRecipe { Architecture = s => ModelZoo.Mlp(4, [8], 3, Activation.ReLU, s), Training = null! };
        Assert.Equal("Training", Assert.Throws<ArgumentException>(() => noTraining.Validated()).ParamName);
    }

    [Fact]
    public void CopyCopiesTheTrainingOptions()
    {
        var recipe = Recipe();
        var copy = recipe.Copy();
        copy.Training.Epochs = 99;
        Assert.Equal(3, recipe.Training.Epochs);
    }

    [Fact]
    public void SnapshotAndRestoreRoundTrip()
    {
        using var model = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 1);
        using var reference = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 1);
        var state = ModuleState.Snapshot(model);
        try
        {
            Assert.Equal(model.state_dict().Keys.OrderBy(k => k), state.Keys.OrderBy(k => k));
            using (no_grad())
            {
                foreach (var p in model.parameters()) p.fill_(0.25);
            }
            // The snapshot is a copy: changing the module did not change it.
            Assert.False(Weights.Identical(model, reference));
            Assert.All(state, kv => Assert.True(TensorAssert.Same(kv.Value, reference.state_dict()[kv.Key])));

            ModuleState.Restore(model, state);
            Assert.True(Weights.Identical(model, reference));
            // Restoring copies: the module's tensors are not the snapshot's.
            using (no_grad())
            {
                foreach (var p in model.parameters()) p.fill_(-1);
            }
            Assert.All(state, kv => Assert.True(TensorAssert.Same(kv.Value, reference.state_dict()[kv.Key])));
        }
        finally
        {
            ModuleState.Dispose(state);
        }
    }

    [Fact]
    public void RestoreRefusesAWrongShape()
    {
        using var model = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 1);
        using var wider = ModelZoo.Mlp(4, [9], 3, Activation.ReLU, 1);
        var state = ModuleState.Snapshot(wider);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => ModuleState.Restore(model, state));
            Assert.Equal("state", e.ParamName);
        }
        finally
        {
            ModuleState.Dispose(state);
        }
    }

    [Fact]
    public void RestoreRefusesAnUnknownEntry()
    {
        using var model = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 1);
        using var extra = zeros(3);
        var state = new Dictionary<string, Tensor> { ["no.such.entry"] = extra };
        var e = Assert.Throws<ArgumentException>(() => ModuleState.Restore(model, state));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("no.such.entry", e.Message);
    }
}
