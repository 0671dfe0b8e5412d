using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>Makes a silo a training worker.</summary>
public static class ModelTrainingSiloExtensions
{
    /// <summary>
    /// Adds the training-job grains, the <see cref="TrainingWorker"/> (its datasets and manifests from
    /// <paramref name="configure"/>) and the job placement to the silo.
    /// </summary>
    public static ISiloBuilder AddModelTraining(this ISiloBuilder builder, Action<TrainingWorkerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.AddSingleton<TrainingWorker>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TrainingWorker>());
        builder.Services.AddPlacementDirector<JobIndexPlacement, JobIndexPlacementDirector>();
        return builder;
    }
}
