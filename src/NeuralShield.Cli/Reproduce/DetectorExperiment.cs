using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Data;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Detection;
using NeuralShield.Models;
using NeuralShield.Reports;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Reproduce;

/// <summary>
/// Chen, Carlini, Wagner 2019: the stateful detector (K = 50, memory 1,000, raw pixels, threshold at the 0.1st percentile
/// of benign k-NN distances on the training images) in front of the LeNet-5 oracle, watching Jacobian-substitute training
/// streams, JSMA query streams (each iterate JSMA evaluates the model at) and a benign stream of test images.
/// Issue 10 asks for ≥ 95% of the attack streams flagged within their first 50 queries at ≤ 1% false positives.
/// </summary>
internal sealed class DetectorExperiment : IExperiment
{
    private const int Neighbours = 50;
    private const int Memory = 1000;
    private const double TargetFalsePositiveRate = 0.001;
    private const int Window = 50;
    private const int BenignQueries = 2000;
    private const int BenignBatch = 100;
    private const int SubstituteRuns = 3;
    private const int JsmaStreams = 30;

    public string Name => "detector";

    public string Description => "Chen, Carlini, Wagner 2019, stateful query detection (K=50, 0.1st percentile) vs substitute-training and JSMA streams";

    public ReproductionReport Run(ExperimentContext context, CancellationToken cancellationToken)
    {
        var (train, seeds, evaluated) = BlackBoxSupport.Mnist(context);
        using var _ = train;
        using var __ = seeds;
        using var ___ = evaluated;
        using var oracle = ExperimentData.LeNet5(context, train, cancellationToken);

        using var benignCalibration = train.Features.reshape(train.Count, -1).to(context.Device);
        var calibration = StatefulQueryDetector.Calibrate(benignCalibration, TargetFalsePositiveRate, Neighbours, Memory);
        context.Log.WriteLine($"  threshold {calibration.Threshold:F4} (0.1st percentile of {calibration.Samples} benign scores; median {calibration.MedianScore:F4})");
        var detector = new StatefulQueryDetector(new StatefulQueryDetectorOptions { Neighbours = Neighbours, MemorySize = Memory, Threshold = calibration.Threshold });

        // Benign: one client sends test images in batches, as a user of a prediction API would.
        var benign = new StreamRecorder(detector.ForClient("benign"));
        var benignClient = new MonitoredClassifier(oracle, benign);
        var benignCount = Math.Min(BenignQueries, evaluated.Count);
        for (var start = 0; start < benignCount; start += BenignBatch)
        {
            using var batch = evaluated.Features.narrow(0, start, Math.Min(BenignBatch, benignCount - start));
            using var p = benignClient.PredictProbabilities(batch.to(context.Device));
        }
        var falsePositiveRate = benign.Flags.Count(f => f) / (double)benign.Flags.Count;
        context.Log.WriteLine($"  benign stream: {benign.Flags.Count(f => f)} of {benign.Flags.Count} queries flagged");

        // Substitute training: each run a fresh client with its own 150 seeds, querying through the monitor.
        var substituteStreams = new List<StreamRecorder>();
        using var monitoring = evaluated.Slice(0, Math.Min(1000, evaluated.Count));
        for (var run = 0; run < SubstituteRuns; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var runSeeds = run == 0 ? seeds.Slice(0, seeds.Count) : evaluated.Slice(evaluated.Count - run * BlackBoxSupport.SeedCount, BlackBoxSupport.SeedCount);
            var recorder = new StreamRecorder(detector.ForClient($"substitute-{run}"));
            var monitored = new MonitoredClassifier(oracle, recorder);
            var outcome = BlackBoxSupport.Substitute(context with { Seed = context.Seed + run }, oracle, runSeeds, monitoring, cancellationToken, monitored);
            outcome.Extraction.Dispose();
            substituteStreams.Add(recorder);
            context.Log.WriteLine($"  substitute run {run}: {recorder.Describe(Window)}; from the first synthetic query: {recorder.Describe(Window, BlackBoxSupport.SeedCount)}");
        }

        // JSMA: each attack a fresh client; every model evaluation of the attack is a query.
        var jsma = new Jsma(new JsmaOptions());
        var jsmaStreams = new List<StreamRecorder>();
        var offset = benignCount;
        for (var i = 0; i < JsmaStreams && offset + i < evaluated.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var recorder = new StreamRecorder(detector.ForClient($"jsma-{i}"));
            var watched = new WatchedClassifier(oracle, recorder);
            using var scope = NewDisposeScope();
            var x = evaluated.Features.narrow(0, offset + i, 1).to(context.Device);
            var target = (evaluated.Labels.narrow(0, offset + i, 1) + 1).remainder(10).to(context.Device);
            using var result = jsma.Run(watched, x, AttackGoal.Targeted(target));
            jsmaStreams.Add(recorder);
        }
        context.Log.WriteLine($"  JSMA: {jsmaStreams.Count} streams, {jsmaStreams.Average(s => s.Flags.Count):F1} queries each on average");

        var all = substituteStreams.Concat(jsmaStreams).ToList();
        var report = new ReproductionReport(Name);
        report.Setting["detector"] = $"K={Neighbours}, memory {Memory} per client (FIFO), raw pixels (L2), memory cleared after each detection";
        report.Setting["threshold"] = calibration.Threshold;
        report.Setting["calibration"] = $"0.1st percentile of mean 50-NN distances among the {train.Count} training images, in chunks of {Memory}";
        report.Setting["oracle"] = "LeNet-5 (shared)";
        report.Setting["benign_stream"] = $"{benignCount} test images, one client, batches of {BenignBatch}";
        report.Setting["substitute_streams"] = $"{SubstituteRuns} Jacobian-substitute trainings ({BlackBoxSupport.RecipeName}, 150 seeds, rho=6), one client each; the first 150 queries of each are its natural seed images";
        report.Setting["jsma_streams"] = $"{jsmaStreams.Count} targeted JSMA-F attacks (gamma 14.5%, target y+1), one image and one client each; every model evaluation is a query";
        report.Setting["window"] = $"detected = flagged within the first {Window} queries of the stream";
        report.Setting["seed"] = context.Seed;
        report.Metrics["detection_rate"] = Rate(all, Window);
        report.Metrics["false_positive_rate"] = falsePositiveRate;
        report.Metrics["queries_before_detection"] = MeanFirst(all);
        report.Metrics["detection_rate.substitute"] = Rate(substituteStreams, Window);
        report.Metrics["detection_rate.substitute_after_seeds"] = substituteStreams.Count(s => s.First(BlackBoxSupport.SeedCount) is { } f && f <= Window) / (double)substituteStreams.Count;
        report.Metrics["queries_before_detection.substitute"] = MeanFirst(substituteStreams);
        report.Metrics["queries_before_detection.substitute_after_seeds"] = Mean(substituteStreams.Select(s => s.First(BlackBoxSupport.SeedCount)));
        report.Metrics["flagged_fraction.substitute"] = substituteStreams.Sum(s => s.Flags.Count(f => f)) / (double)substituteStreams.Sum(s => s.Flags.Count);
        report.Metrics["detection_rate.jsma"] = Rate(jsmaStreams, Window);
        report.Metrics["queries_before_detection.jsma"] = MeanFirst(jsmaStreams);
        report.Metrics["detections_per_stream.jsma"] = jsmaStreams.Average(s => s.Flags.Count(f => f));
        report.Paper["detection_rate"] = 0.95;
        report.Paper["false_positive_rate"] = 0.01;
        report.Paper["queries_before_detection"] = Window;
        report.Paper["source"] = "issue 10 targets; Chen, Carlini, Wagner 2019, arXiv 1907.05587 (K = 50, 0.1st-percentile threshold)";
        return report;
    }

    private static double Rate(IReadOnlyCollection<StreamRecorder> streams, int window) =>
        streams.Count(s => s.First() is { } f && f <= window) / (double)streams.Count;

    private static double MeanFirst(IEnumerable<StreamRecorder> streams) => Mean(streams.Select(s => s.First()));

    private static double Mean(IEnumerable<int?> values)
    {
        var found = values.Where(v => v is not null).Select(v => (double)v!.Value).ToList();
        return found.Count == 0 ? double.NaN : found.Average();
    }
}

/// <summary>Passes queries to a detector and keeps each query's flag, in arrival order.</summary>
internal sealed class StreamRecorder(IQueryDetector inner) : IQueryDetector
{
    public List<bool> Flags { get; } = [];

    public DefenseDescriptor Descriptor => inner.Descriptor;

    public QueryVerdict Inspect(Tensor queries)
    {
        var verdict = inner.Inspect(queries);
        using var flags = verdict.Flagged.cpu();
        Flags.AddRange(flags.data<bool>().ToArray());
        return verdict;
    }

    /// <summary>The 1-based index, counted from query <paramref name="from"/>, of the first flagged query at or after it; null when none.</summary>
    public int? First(int from = 0)
    {
        for (var i = from; i < Flags.Count; i++) if (Flags[i]) return i - from + 1;
        return null;
    }

    public string Describe(int window, int from = 0) => First(from) is { } f
        ? $"first flag at query {f}{(f <= window ? "" : $" (after the first {window})")}, {Flags.Skip(from).Count(x => x)} flags in {Flags.Count - from} queries"
        : $"never flagged in {Flags.Count - from} queries";
}

/// <summary>A white-box model whose every evaluation (probabilities and logits) is shown to a detector first.</summary>
internal sealed class WatchedClassifier(IDifferentiableClassifier inner, IQueryDetector detector) : DifferentiableClassifierDecorator(inner)
{
    public override Tensor PredictProbabilities(Tensor inputs)
    {
        using (detector.Inspect(inputs)) { }
        return Inner.PredictProbabilities(inputs);
    }

    public override Tensor Logits(Tensor inputs)
    {
        using (detector.Inspect(inputs)) { }
        return Inner.Logits(inputs);
    }
}
