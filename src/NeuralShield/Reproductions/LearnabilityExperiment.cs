using NeuralShield.Defenses.Input;
using NeuralShield.Learnability;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// The learnability audit of survey §4.8 on a built-in "secret" mapping (<c>--variant case=hmac|lfsr|speck|keyed-transform|csv</c>):
/// held-out accuracy of a fully connected network at 10², 10³, … training pairs up to the budget (<c>--samples</c>),
/// with Clopper–Pearson intervals, against chance and the best known algebraic attack where one exists. <c>--epochs</c>
/// sets the training passes (default 30); <c>--variant rounds=5|6|7</c> runs one Speck round count (default 5, 6, 7).
/// </summary>
internal sealed class LearnabilityExperiment : IReproduction
{
    public string Name => "learnability";

    public string Description => "learnability audit: a network trained on observed pairs of HMAC, an LFSR, round-reduced Speck32/64, the keyed input transform, or CSV side-channel features";

    public IReadOnlyList<string> VariantKeys => ["case", "rounds"];

    public ReproductionData Data => ReproductionData.None;

    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        var @case = context.Variant("case", "hmac", "lfsr", "speck", "keyed-transform", "csv");
        var report = new ReproductionReport(Name);
        report.Setting["case"] = @case;
        report.Setting["seed"] = context.Seed;
        var started = DateTime.UtcNow;
        switch (@case)
        {
            case "hmac":
            {
                var key = new byte[32];
                new Random(unchecked((int)context.Seed)).NextBytes(key);
                var options = Options(context, 100_000);
                report.Setting["target"] = "bit 0 of HMAC-SHA256(key, 64-bit random message), 32-byte key from the seed (.NET HMACSHA256)";
                Audit(report, "hmac", LearnabilityTargets.HmacBit(key, 64), options, context, cancellationToken);
                report.Paper["hmac.inside_chance_at_budget"] = "1 (a keyed PRF: the survey's defense)";
                break;
            }
            case "lfsr":
            {
                int[] taps = [16, 14, 13, 11];
                var options = Options(context, 100_000);
                report.Setting["target"] = "next bit of the 16-bit LFSR x^16 + x^14 + x^13 + x^11 + 1 from its last 16 bits";
                var result = Audit(report, "lfsr", LearnabilityTargets.LfsrNextBit(taps), options, context, cancellationToken);
                foreach (var threshold in new[] { 0.99, 1.0 })
                    report.Metrics[$"lfsr.samples_to_{threshold.ToString("0.##", CultureInfo.InvariantCulture)}"] = result.SamplesToReach(threshold) ?? double.NaN;
                report.Metrics["lfsr.berlekamp_massey_bits"] = BerlekampMasseyBits(taps, context.Seed);
                report.Paper["lfsr.berlekamp_massey_bits"] = "2L = 32 (Berlekamp–Massey: exact recovery of a length-L register)";
                break;
            }
            case "speck":
            {
                var options = Options(context, 100_000);
                options.Network = LearnabilityNetworks.BitSlicedResNet(4, 16, filters: 32, depth: 1);
                var only = context.Variant("rounds", "all", "5", "6", "7");
                report.Setting["target"] = "Gohr's real-or-random distinguisher: Speck32/64 ciphertext pairs of input difference (0x0040, 0), fresh key per pair";
                foreach (var rounds in only == "all" ? new[] { 5, 6, 7 } : [int.Parse(only, CultureInfo.InvariantCulture)])
                {
                    var result = Audit(report, $"speck{rounds}", LearnabilityTargets.SpeckDistinguisher(rounds), options, context, cancellationToken,
                        "Gohr's bit-sliced residual network, depth 1, 32 filters");
                    if (!result.Points[^1].AboveChance) break;
                }
                report.Paper["speck5.accuracy"] = "0.929 (Gohr 2019, depth-10 residual net, 10^7 training pairs)";
                report.Paper["speck6.accuracy"] = "0.788";
                report.Paper["speck7.accuracy"] = "0.616";
                break;
            }
            case "keyed-transform":
            {
                using var transform = new KeyedInputTransform([1, 16, 16], new KeyedInputTransformOptions { KeySeed = context.Seed + 1000, Permute = true, Xor = true });
                var options = Options(context, 10_000);
                options.Hidden = [512];
                report.Setting["target"] = $"KeyedInputTransform on 16x16 binary samples, permutation + XOR, key seed {context.Seed + 1000}: 256 output bits";
                var result = Audit(report, "keyed", LearnabilityTargets.KeyedTransform(transform), options, context, cancellationToken);
                report.Metrics["keyed.samples_to_bit_accuracy_0.99"] = result.SamplesToReach(0.99) ?? double.NaN;
                report.Metrics["keyed.samples_to_exact_match_0.99"] = result.Points.FirstOrDefault(p => p.ExactMatch >= 0.99)?.TrainSamples ?? double.NaN;
                break;
            }
            default:
            {
                var path = SyntheticPinCsv(context);
                report.Setting["target"] = $"SYNTHETIC motion-sensor windows labelled with the digit tapped ({path})";
                var target = LearnabilityTarget.FromCsv(path);
                foreach (var k in new[] { 1, 3 })
                {
                    var options = Options(context, 10_000);
                    options.TopK = k;
                    Audit(report, $"csv.top{k}", target, options, context, cancellationToken);
                }
                report.Paper["csv.top1.accuracy"] = "Mehrnezhad et al. (real sensors, 50 PINs): 74% / 86% / 94% at 1 / 2 / 3 attempts; not comparable with this synthetic set";
                break;
            }
        }
        report.Metrics["seconds"] = (DateTime.UtcNow - started).TotalSeconds;
        return report;
    }

    private static LearnabilityOptions Options(ReproductionContext context, int defaultBudget) => new()
    {
        Budget = context.Samples ?? defaultBudget,
        Epochs = context.Epochs ?? new LearnabilityOptions().Epochs,
        Seed = context.Seed,
    };

    private static LearnabilityResult Audit(ReproductionReport report, string key, LearnabilityTarget target, LearnabilityOptions options,
        ReproductionContext context, CancellationToken cancellationToken, string? network = null)
    {
        var audit = new LearnabilityAudit(options);
        var o = audit.Options;
        network ??= $"MLP {target.InputWidth}-{string.Join("-", o.Hidden)}-{target.OutputWidth}x{target.ClassCount}";
        report.Setting[key + ".network"] = $"{network}, Adam lr {o.LearningRate}, weight decay {o.WeightDecay}, " +
                                          $"{o.Epochs} epochs, batch {o.BatchSize}, {o.TestSamples} held-out pairs, top-{o.TopK}";
        var progress = new Progress(context.Log, key);
        var result = audit.Run(target, progress, cancellationToken);
        report.Metrics[key + ".chance"] = result.Chance;
        foreach (var p in result.Points)
        {
            var prefix = $"{key}.n{p.TrainSamples}";
            report.Metrics[prefix + ".accuracy"] = p.Accuracy.Estimate;
            report.Metrics[prefix + ".accuracy.lo95"] = p.Accuracy.Lower;
            report.Metrics[prefix + ".accuracy.hi95"] = p.Accuracy.Upper;
            if (target.OutputWidth > 1) report.Metrics[prefix + ".exact_match"] = p.ExactMatch;
            report.Metrics[prefix + ".train_accuracy"] = p.TrainAccuracy;
            report.Metrics[prefix + ".above_chance"] = p.AboveChance ? 1 : 0;
        }
        report.Metrics[key + ".accuracy"] = result.Points[^1].Accuracy.Estimate;
        report.Metrics[key + ".inside_chance_at_budget"] = result.InsideChanceAtBudget ? 1 : 0;
        return result;
    }

    /// <summary>Bits of the register's output Berlekamp–Massey needed to find it: the shortest prefix whose solution predicts the next 10,000 bits.</summary>
    private static int BerlekampMasseyBits(int[] taps, long seed)
    {
        var random = new Random(unchecked((int)seed));
        var length = taps.Max();
        var bits = new List<int>();
        for (var i = 0; i < length; i++) bits.Add(random.Next(2));
        if (bits.All(b => b == 0)) bits[0] = 1;
        while (bits.Count < 10_000 + 4 * length) bits.Add(taps.Aggregate(0, (acc, t) => acc ^ bits[^t]));
        for (var prefix = 1; prefix <= 4 * length; prefix++)
        {
            var (l, c) = BerlekampMassey.Solve(bits.Take(prefix).ToArray());
            var predicts = Enumerable.Range(prefix, 10_000).All(n => Enumerable.Range(1, l).Aggregate(0, (acc, j) => acc ^ (c[j] & bits[n - j])) == bits[n]);
            if (predicts) return prefix;
        }
        return -1;
    }

    /// <summary>
    /// A SYNTHETIC stand-in for motion-sensor windows recorded while a PIN digit is tapped (no public data set exists):
    /// 12,000 rows of 12 features — the tapped key's column and row on a phone keypad (0 below 8) seen through two noisy
    /// "tilt" channels and two "rotation" channels that scale them, plus 8 channels of pure noise — and the digit.
    /// </summary>
    private static string SyntheticPinCsv(ReproductionContext context)
    {
        Directory.CreateDirectory(context.CacheDirectory);
        var path = Path.Combine(context.CacheDirectory, $"learnability-SYNTHETIC-pin-motion-seed{context.Seed}.csv");
        var random = new Random(unchecked((int)context.Seed) ^ 0x5eed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(1, 12).Select(i => $"f{i}")) + ",digit");
        for (var row = 0; row < 12_000; row++)
        {
            var digit = random.Next(10);
            var (column, line) = digit == 0 ? (1, 3) : ((digit - 1) % 3, (digit - 1) / 3);
            var scale = 0.5 + random.NextDouble();
            var features = new List<double>
            {
                column + 0.6 * Gaussian(), line + 0.6 * Gaussian(), scale * column + 0.6 * Gaussian(), scale * line + 0.6 * Gaussian(),
            };
            for (var i = 0; i < 8; i++) features.Add(Gaussian());
            writer.WriteLine(string.Join(",", features.Select(f => f.ToString("G6", CultureInfo.InvariantCulture))) + "," + digit);
        }
        return path;
    }

    private sealed class Progress(TextWriter log, string key) : IProgress<LearnabilityPoint>
    {
        public void Report(LearnabilityPoint p) =>
            log.WriteLine($"  {key}: {p.TrainSamples,7} pairs: held-out accuracy {p.Accuracy.Estimate:F4} [{p.Accuracy.Lower:F4}, {p.Accuracy.Upper:F4}]" +
                          $" train {p.TrainAccuracy:F4}{(p.ExactMatch != p.Accuracy.Estimate ? $" exact {p.ExactMatch:F4}" : "")} ({p.Seconds:F1} s)");
    }
}
