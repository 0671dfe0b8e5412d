using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>A module that forwards to another and reports each training-mode forward pass (a batch).</summary>
internal sealed class BatchCountingModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;
    private readonly Action<int>? onBatch;

    public BatchCountingModule(nn.Module<Tensor, Tensor> inner, Action<int>? onBatch) : base(nameof(BatchCountingModule))
    {
        this.inner = inner;
        this.onBatch = onBatch;
        RegisterComponents();
    }

    public int TrainingForwards { get; private set; }

    public int EvaluationForwards { get; private set; }

    public override Tensor forward(Tensor input)
    {
        var output = inner.forward(input);
        if (training)
        {
            TrainingForwards++;
            onBatch?.Invoke(TrainingForwards);
        }
        else
        {
            EvaluationForwards++;
        }
        return output;
    }
}

/// <summary>A synchronous progress sink (unlike <see cref="Progress{T}"/>, which posts to a context).</summary>
internal sealed class Callback<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}

/// <summary>
/// <see cref="Trainer.Fit"/> cancelled from inside the run — from the epoch progress callback and from the model
/// after k batches — throws <see cref="OperationCanceledException"/> for that token without training further batches.
/// </summary>
public class TrainerCancellationTests
{
    private const int BatchesPerEpoch = 10;

    [Fact]
    public void CancellingFromTheProgressCallbackStopsBeforeTheNextEpochsFirstBatch()
    {
        using var data = TestModels.Blobs(BatchesPerEpoch * 16, 10, seed: 4);
        using var validation = TestModels.Blobs(40, 10, seed: 5);
        using var source = new CancellationTokenSource();
        using var model = new BatchCountingModule(ModelZoo.Mlp(10, [16], 3, Activation.ReLU, seed: 4), null);
        var epochs = new List<int>();
        var batchesAtCancel = -1;
        var progress = new Callback<EpochReport>(report =>
        {
            epochs.Add(report.Epoch);
            if (report.Epoch == 2)
            {
                batchesAtCancel = model.TrainingForwards;
                source.Cancel();
            }
        });
        var trainer = new Trainer(new TrainingOptions { Epochs = 20, BatchSize = 16, Seed = 4 });
        var error = Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(model, data, validation, progress: progress, cancellationToken: source.Token));
        Assert.Equal(source.Token, error.CancellationToken);
        Assert.Equal([1, 2], epochs);
        Assert.Equal(2 * BatchesPerEpoch, batchesAtCancel);
        Assert.Equal(batchesAtCancel, model.TrainingForwards);
        Assert.False(model.training, "the model should be left in evaluation mode");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(BatchesPerEpoch + 4)]
    public void CancellingFromTheModelAfterKBatchesTrainsAtMostThatBatch(int k)
    {
        using var data = TestModels.Blobs(BatchesPerEpoch * 16, 10, seed: 6);
        using var source = new CancellationTokenSource();
        using var model = new BatchCountingModule(ModelZoo.Mlp(10, [16], 3, Activation.ReLU, seed: 6), batch =>
        {
            if (batch == k) source.Cancel();
        });
        var reports = 0;
        var trainer = new Trainer(new TrainingOptions { Epochs = 5, BatchSize = 16, Seed = 6 });
        var error = Assert.ThrowsAny<OperationCanceledException>(() =>
            trainer.Fit(model, data, progress: new Callback<EpochReport>(_ => reports++), cancellationToken: source.Token));
        Assert.Equal(source.Token, error.CancellationToken);
        // The batch that cancelled completes; no later batch runs a forward pass.
        Assert.Equal(k, model.TrainingForwards);
        Assert.Equal(k / BatchesPerEpoch, reports);
        Assert.False(model.training);
    }
}
