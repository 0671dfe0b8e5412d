using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Detection;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// Chen, Carlini, Wagner 2019: the stateful detector (memory 1,000, threshold at the 0.1st percentile of benign k-NN
/// distances on the training images) in front of the LeNet-5 oracle, watching Jacobian-substitute training streams, JSMA
/// query streams (each iterate JSMA evaluates the model at) and a held-out benign stream of test images. The streams are
/// recorded once and replayed through each detector variant: the paper's K = 50 on raw pixels (the reported keys), and
/// K = 10 and K = 1 on raw pixels, on a fixed 4×4 average-pooling encoder and on pixels binarised at 0.5 (keys
/// <c>variant.&lt;name&gt;.*</c>). Every
/// variant is calibrated on the training images only, never on a stream it is evaluated on. Issue 10 asks for ≥ 95% of
/// the attack streams flagged within their first 50 queries at ≤ 1% false positives.
/// </summary>
internal sealed class DetectorExperiment() : SubstituteReproduction(
    "detector",
    "Chen, Carlini, Wagner 2019, stateful query detection (K=50, 0.1st percentile; K=10, K=1, pooled and binarised encoders) vs substitute-training and JSMA streams")
{
    private const int PaperNeighbours = 50;
    private const int Memory = 1000;
    private const double TargetFalsePositiveRate = 0.001;
    private const int Window = 50;
    private const int BenignQueries = 2000;
    private const int BenignBatch = 100;
    private const int SubstituteRuns = 3;
    private const int JsmaStreams = 30;

    /// <summary>A detector setting: K and the encoder (null: raw pixels).</summary>
    private sealed record Variant(string Name, int Neighbours, string EncoderName, Func<Tensor, Tensor>? Encoder);

    /// <summary>A fixed encoder: 4×4 average pooling of the 28×28 image (49 features), which averages out sign noise of ±λ but keeps strokes.</summary>
    private static Tensor Pool4(Tensor x) => nn.functional.avg_pool2d(x.reshape(x.shape[0], 1, 28, 28), 4).reshape(x.shape[0], -1);

    /// <summary>
    /// A fixed encoder: the pixels binarised at 0.5 (784 features in {0, 1}). A Jacobian-augmentation child differs from its
    /// parent by at most λ = 0.1 per pixel, so only pixels within 0.1 of 0.5 can change their bit; natural images differ in
    /// whole strokes. An invariance chosen from the attack's step size (an attacker who knows it can step by more than 0.5).
    /// </summary>
    private static Tensor Binary(Tensor x) => x.reshape(x.shape[0], -1).gt(0.5).to_type(ScalarType.Float32);

    private static readonly Variant[] Variants =
    [
        new("raw_k50", PaperNeighbours, "raw pixels", null),
        new("raw_k10", 10, "raw pixels", null),
        new("raw_k1", 1, "raw pixels", null),
        new("pool4_k50", PaperNeighbours, "4x4 average pooling (49 features)", Pool4),
        new("pool4_k10", 10, "4x4 average pooling (49 features)", Pool4),
        new("pool4_k1", 1, "4x4 average pooling (49 features)", Pool4),
        new("binary_k10", 10, "pixels binarised at 0.5", Binary),
        new("binary_k1", 1, "pixels binarised at 0.5", Binary),
    ];

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken)
    {
        using var oracle = ExperimentData.LeNet5(context, train, cancellationToken);

        // Record every stream once; a detector that only logs does not change the answers, so replaying is the same as watching.
        // The benign stream leaves the JSMA streams their images, and the later substitute runs take their seeds from the end.
        const int minimumEvaluated = (SubstituteRuns - 1) * BlackBoxSupport.SeedCount + JsmaStreams + 1;
        if (evaluated.Count < minimumEvaluated)
            throw new ReproductionSettingException($"detector needs at least {minimumEvaluated} evaluated test images (--samples); got {evaluated.Count}.");
        var benignCount = Math.Min(BenignQueries, evaluated.Count - JsmaStreams);
        var benignStream = new QueryStream("benign");
        for (var start = 0; start < benignCount; start += BenignBatch)
            benignStream.Add(evaluated.Features.narrow(0, start, Math.Min(BenignBatch, benignCount - start)));

        var substituteStreams = new List<QueryStream>();
        using var monitoring = evaluated.Slice(0, Math.Min(1000, evaluated.Count));
        for (var run = 0; run < SubstituteRuns; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var runSeeds = run == 0 ? seeds.Slice(0, seeds.Count) : evaluated.Slice(evaluated.Count - run * BlackBoxSupport.SeedCount, BlackBoxSupport.SeedCount);
            var stream = new QueryStream($"substitute-{run}");
            var outcome = BlackBoxSupport.Substitute(context with { Seed = context.Seed + run }, oracle, runSeeds, monitoring, cancellationToken,
                new MonitoredClassifier(oracle, stream));
            outcome.Extraction.Dispose();
            substituteStreams.Add(stream);
            context.Log.WriteLine($"  substitute run {run}: {stream.Count} queries recorded");
        }

        var jsma = new Jsma(new JsmaOptions());
        var jsmaStreams = new List<QueryStream>();
        var offset = benignCount;
        for (var i = 0; i < JsmaStreams && offset + i < evaluated.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = new QueryStream($"jsma-{i}");
            using var scope = NewDisposeScope();
            var x = evaluated.Features.narrow(0, offset + i, 1).to(context.Device);
            var target = (evaluated.Labels.narrow(0, offset + i, 1) + 1).remainder(10).to(context.Device);
            using var result = jsma.Run(new WatchedClassifier(oracle, stream), x, AttackGoal.Targeted(target));
            jsmaStreams.Add(stream);
        }
        context.Log.WriteLine($"  JSMA: {jsmaStreams.Count} streams, {jsmaStreams.Average(s => s.Count):F1} queries each on average");

        var report = new ReproductionReport(Name);
        using var benignCalibration = train.Features.reshape(train.Count, -1).to(context.Device);
        foreach (var variant in Variants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var calibration = StatefulQueryDetector.Calibrate(benignCalibration, TargetFalsePositiveRate, variant.Neighbours, Memory,
                variant.Encoder is null ? null : x => variant.Encoder(x.reshape(x.shape[0], 1, 28, 28)));
            var detector = new StatefulQueryDetector(new StatefulQueryDetectorOptions
            {
                Neighbours = variant.Neighbours, MemorySize = Memory, Threshold = calibration.Threshold, Encoder = variant.Encoder,
            });
            var benign = benignStream.Replay(detector, context.Device);
            var substitute = substituteStreams.Select(s => s.Replay(detector, context.Device)).ToList();
            var jsmaFlags = jsmaStreams.Select(s => s.Replay(detector, context.Device)).ToList();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["threshold"] = calibration.Threshold,
                ["false_positive_rate"] = benign.Count(f => f) / (double)benign.Count,
                ["detection_rate"] = Rate(substitute.Concat(jsmaFlags).ToList(), 0),
                ["queries_before_detection"] = MeanFirst(substitute.Concat(jsmaFlags), 0),
                ["queries_before_detection.benign"] = MeanFirst([benign], 0),
                ["detection_rate.substitute"] = Rate(substitute, 0),
                ["queries_before_detection.substitute"] = MeanFirst(substitute, 0),
                ["detection_rate.substitute_after_seeds"] = Rate(substitute, BlackBoxSupport.SeedCount),
                ["queries_before_detection.substitute_after_seeds"] = MeanFirst(substitute, BlackBoxSupport.SeedCount),
                ["flagged_fraction.substitute"] = substitute.Sum(f => f.Count(x => x)) / (double)substitute.Sum(f => f.Count),
                ["detection_rate.jsma"] = Rate(jsmaFlags, 0),
                ["queries_before_detection.jsma"] = MeanFirst(jsmaFlags, 0),
                ["detections_per_stream.jsma"] = jsmaFlags.Average(f => f.Count(x => x)),
            };
            context.Log.WriteLine($"  {variant.Name} ({variant.EncoderName}, K={variant.Neighbours}): threshold {calibration.Threshold:F4} (median benign {calibration.MedianScore:F4}); " +
                                  $"benign {metrics["false_positive_rate"]:P2} flagged; substitute first flag {Describe(substitute, 0)}, after the seeds {Describe(substitute, BlackBoxSupport.SeedCount)}; " +
                                  $"JSMA {metrics["detection_rate.jsma"]:P0} within {Window}, mean first flag {metrics["queries_before_detection.jsma"]:F1}");
            var paper = variant.Name == "raw_k50";
            foreach (var (key, value) in metrics)
            {
                report.Metrics[$"variant.{variant.Name}.{key}"] = value;
                if (paper && key != "threshold") report.Metrics[key] = value;
            }
            if (paper) report.Setting["threshold"] = calibration.Threshold;
        }

        report.Setting["detector"] = $"K={PaperNeighbours}, memory {Memory} per client (FIFO), raw pixels (L2), memory cleared after each detection (the unprefixed keys)";
        report.Setting["variants"] = string.Join("; ", Variants.Select(v => $"{v.Name}: {v.EncoderName}, K={v.Neighbours}")) +
                                     "; each calibrated alike on the training images, none on a stream it is evaluated on";
        report.Setting["calibration"] = $"0.1st percentile of mean K-NN distances among the {train.Count} training images, in chunks of {Memory}";
        report.Setting["oracle"] = "LeNet-5 (shared)";
        report.Setting["benign_stream"] = $"{benignCount} test images (held out from the calibration), one client, batches of {BenignBatch}";
        report.Setting["substitute_streams"] = $"{SubstituteRuns} Jacobian-substitute trainings ({BlackBoxSupport.RecipeName(context)}, 150 seeds, rho=6), one client each; " +
                                               "the first 150 queries of each are its natural seed images (_after_seeds: counted from query 151)";
        report.Setting["jsma_streams"] = $"{jsmaStreams.Count} targeted JSMA-F attacks (gamma 14.5%, target y+1), one image and one client each; every model evaluation is a query";
        report.Setting["window"] = $"detected = flagged within the first {Window} queries of the stream (after the seeds: of query 151 on); queries_before_detection = mean 1-based index of the first flag over the streams ever flagged (NaN: none)";
        report.Setting["seed"] = context.Seed;
        report.Paper["detection_rate"] = 0.95;
        report.Paper["false_positive_rate"] = 0.01;
        report.Paper["queries_before_detection"] = Window;
        report.Paper["source"] = "issue 10 targets; Chen, Carlini, Wagner 2019, arXiv 1907.05587 (K = 50, 0.1st-percentile threshold)";
        return report;
    }

    private static int? First(IReadOnlyList<bool> flags, int from)
    {
        for (var i = from; i < flags.Count; i++) if (flags[i]) return i - from + 1;
        return null;
    }

    private static double Rate(IReadOnlyCollection<IReadOnlyList<bool>> streams, int from) =>
        streams.Count(s => First(s, from) is { } f && f <= Window) / (double)streams.Count;

    private static double MeanFirst(IEnumerable<IReadOnlyList<bool>> streams, int from)
    {
        var found = streams.Select(s => First(s, from)).Where(v => v is not null).Select(v => (double)v!.Value).ToList();
        return found.Count == 0 ? double.NaN : found.Average();
    }

    private static string Describe(IReadOnlyList<IReadOnlyList<bool>> streams, int from) =>
        string.Join("/", streams.Select(s => First(s, from)?.ToString() ?? "never"));
}

/// <summary>Records the query batches a client sends (copies on the CPU), flags none; replays them through a detector.</summary>
internal sealed class QueryStream(string client) : IQueryDetector
{
    private readonly List<Tensor> _batches = [];

    public int Count => (int)_batches.Sum(b => b.shape[0]);

    public DefenseDescriptor Descriptor => new("query recorder", DefenseKind.Detection, Papers.Chen2020Stateful, [AttackFamily.Extraction]);

    public void Add(Tensor queries) => _batches.Add(queries.detach().cpu().clone().DetachFromDisposeScope());

    public QueryVerdict Inspect(Tensor queries)
    {
        Add(queries);
        return new QueryVerdict(zeros(queries.shape[0], dtype: ScalarType.Bool, device: queries.device), null);
    }

    /// <summary>Sends the recorded batches, in order, to <paramref name="detector"/> as this stream's client; the flag of each query.</summary>
    public IReadOnlyList<bool> Replay(StatefulQueryDetector detector, Device device)
    {
        detector.Reset(client);
        var flags = new List<bool>(Count);
        foreach (var batch in _batches)
        {
            using var scope = NewDisposeScope();
            using var verdict = detector.Inspect(client, batch.to(device));
            flags.AddRange(verdict.Flagged.cpu().data<bool>().ToArray());
        }
        detector.Reset(client);
        return flags;
    }
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
