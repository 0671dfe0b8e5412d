namespace NeuralShield.Orleans;

/// <summary>The grain of one job: it runs the job once on its silo's <see cref="TrainingWorker"/> and keeps the outcome until the client takes it.</summary>
[JobIndexPlacement]
internal sealed class TrainingJobGrain(TrainingWorker worker) : Grain, ITrainingJobGrain
{
    private readonly CancellationTokenSource _cancel = new();
    private Task<JobOutcome>? _run;

    public async Task<JobOutcome?> Run(JobSpec spec, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _run ??= worker.RunAsync(this.GetPrimaryKeyString(), spec, _cancel.Token);
        JobOutcome outcome;
        try
        {
            outcome = await _run.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            return null;
        }
        if (outcome.Status == JobStatus.Interrupted)
        {
            // An interrupted job is not kept: the client's retry activates the grain afresh, on a live silo.
            _run = null;
            DeactivateOnIdle();
        }
        return outcome;
    }

    public Task Cancel()
    {
        _cancel.Cancel();
        worker.Forget(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public Task Forget()
    {
        worker.Forget(this.GetPrimaryKeyString());
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }
}
