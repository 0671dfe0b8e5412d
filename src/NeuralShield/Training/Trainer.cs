using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NeuralShield.Training;

/// <summary>
/// Seeded mini-batch training of a module that maps inputs to logits: Adam or SGD, weight decay, early stopping on
/// validation accuracy, cancellation between batches, progress per epoch. What happens on a mini-batch is the
/// <see cref="ITrainingStep"/>'s (plain cross-entropy by default); the trainer owns the loop, the batch order, the
/// optimiser, the records and the checks: a loss that is not finite stops the run with an exception naming the
/// epoch and step.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer; the options are validated and copied.</summary>
    public Trainer(TrainingOptions? options = null, ILogger? logger = null)
    {
        _options = (options ?? new TrainingOptions()).Validated();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A copy of the validated settings this trainer runs with; changing it does not change the trainer.</summary>
    public TrainingOptions Options => _options.Copy();

    /// <summary>
    /// Trains <paramref name="model"/> in place on <paramref name="train"/> (moved batch by batch to the
    /// model's device). Returns the per-epoch history; the model is left in evaluation mode.
    /// </summary>
    /// <param name="model">Maps inputs to logits; its parameters are updated.</param>
    /// <param name="train">Training data.</param>
    /// <param name="validation">Optional validation data for the reports and early stopping.</param>
    /// <param name="step">What happens on each mini-batch; plain cross-entropy when null.</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public TrainingResult Fit(nn.Module<Tensor, Tensor> model, LabeledData train, LabeledData? validation = null,
        ITrainingStep? step = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        cancellationToken.ThrowIfCancellationRequested();
        if (validation is not null && validation.ClassCount != train.ClassCount)
            throw new ArgumentException($"validation has {validation.ClassCount} classes but train {train.ClassCount}.", nameof(validation));
        if (_options.EarlyStopPatience is not null && validation is null)
            throw new ArgumentException("Early stopping needs validation data.", nameof(validation));
        if (validation is not null && !validation.SampleShape.SequenceEqual(train.SampleShape))
            throw new ArgumentException("validation samples must have the training samples' shape.", nameof(validation));
        step ??= CrossEntropyStep.Default;
        var parameters = model.parameters().ToList();
        if (parameters.Count == 0) throw new ArgumentException("The model has no parameters to train.", nameof(model));
        var device = parameters[0].device;

        using var optimizer = MakeOptimizer(parameters);
        var stepsPerEpoch = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
        var context = new StepContext(model, optimizer, _options.Epochs, stepsPerEpoch, _options.BatchSize, _options.Seed) { CancellationToken = cancellationToken };
        var history = new List<EpochReport>();
        var watch = Stopwatch.StartNew();
        var best = (Epoch: 0, Accuracy: double.NegativeInfinity);
        Dictionary<string, Tensor>? bestState = null;
        var stoppedEarly = false;
        try
        {
            for (var epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                model.train();
                double lossSum = 0;
                long seen = 0;
                context.Epoch = epoch;
                context.StepInEpoch = 0;
                foreach (var (x, y) in train.Batches(_options.BatchSize, _options.Seed + epoch - 1, device))
                {
                    using var scope = NewDisposeScope();
                    using var ownedX = x;
                    using var ownedY = y;
                    cancellationToken.ThrowIfCancellationRequested();
                    if (_options.Schedule == LearningRateSchedule.Cosine)
                        SetLearningRate(optimizer, _options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * context.Step / ((double)_options.Epochs * stepsPerEpoch))));
                    var loss = step.Run(x, y, context);
                    if (!double.IsFinite(loss))
                        throw new InvalidOperationException(
                            $"The training loss became {loss} in epoch {epoch}, step {context.StepInEpoch + 1} of {stepsPerEpoch}: the weights are no longer usable. " +
                            "Lower the learning rate or check the data and the model.");
                    var n = x.shape[0];
                    lossSum += loss * n;
                    seen += n;
                    context.Step++;
                    context.StepInEpoch++;
                }
                model.eval();
                double? accuracy = validation is null ? null : ModelAccuracy.Of(model, validation, device);
                var report = new EpochReport(epoch, lossSum / seen, accuracy, watch.Elapsed);
                history.Add(report);
                progress?.Report(report);
                _logger.LogInformation("Epoch {Epoch}/{Epochs}: loss {Loss:F4}, validation accuracy {Accuracy}", epoch, _options.Epochs, report.TrainLoss, accuracy);

                if (_options.EarlyStopPatience is { } patience)
                {
                    if (accuracy!.Value > best.Accuracy)
                    {
                        best = (epoch, accuracy.Value);
                        ModuleState.Dispose(bestState);
                        bestState = ModuleState.Snapshot(model);
                    }
                    else if (epoch - best.Epoch >= patience)
                    {
                        stoppedEarly = true;
                        break;
                    }
                }
            }
            if (bestState is not null && best.Epoch != history.Count)
            {
                ModuleState.Restore(model, bestState);
            }
        }
        finally
        {
            ModuleState.Dispose(bestState);
            model.eval();
        }
        return new TrainingResult(history, bestState is null ? history.Count : best.Epoch, stoppedEarly, watch.Elapsed);
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    private optim.Optimizer MakeOptimizer(IList<TorchSharp.Modules.Parameter> parameters) => _options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, lr: _options.LearningRate, weight_decay: _options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(parameters, _options.LearningRate, momentum: _options.Momentum, weight_decay: _options.WeightDecay),
        _ => throw new InvalidOperationException("Unknown optimiser."),
    };
}
