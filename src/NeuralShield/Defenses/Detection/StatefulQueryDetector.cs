using System.Collections.Concurrent;
using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Detection;

/// <summary>
/// Stateful detection of query-based black-box attacks — Chen, Carlini, Wagner, "Stateful Detection of Black-Box
/// Adversarial Attacks", 2019 (arXiv 1907.05587).
/// <para>
/// Black-box attacks (substitute training with Jacobian augmentation, gradient estimation, boundary walks) send many
/// queries close to each other; benign users do not. The detector keeps, per client, a bounded FIFO memory of that
/// client's past queries (raw, or an encoder's embedding) and scores each new query by the mean L2 distance to its K
/// nearest stored queries; a score below the threshold flags the query. The threshold is calibrated on benign data for
/// a target false-positive rate (paper: the 0.1st percentile of benign k-NN distances, K = 50), and the memory is
/// cleared after each detection (the paper's code), so repeated detections count repeated attacks.
/// </para>
/// <para>
/// Applied through <see cref="MonitoredClassifier"/>, one per client: <c>new MonitoredClassifier(model, detector.ForClient(id))</c>.
/// Queries inside one batch are scored in order, each against the memory and the batch's earlier queries, so a batch
/// gives the same flags as the same queries sent one by one. Distances are computed on the queries' device: a single
/// query (the usual case) with one matrix-vector product against the preallocated ring memory, whose squared norms are
/// cached as queries are stored, one <c>topk</c> and the exact distances of the K found; a batch with one <c>cdist</c>
/// and one <c>topk</c>. Thread-safe: each client's memory has its own lock.
/// </para>
/// </summary>
public sealed class StatefulQueryDetector : IQueryDetector
{
    /// <summary>The client id of <see cref="Inspect(Tensor)"/>.</summary>
    public const string DefaultClient = "";

    private readonly StatefulQueryDetectorOptions _options;
    private readonly ConcurrentDictionary<string, ClientMemory> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates the detector; the options are validated and copied.</summary>
    /// <exception cref="ArgumentException">The threshold is not set, or a setting is out of range (the message names it).</exception>
    public StatefulQueryDetector(StatefulQueryDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>A copy of the settings.</summary>
    public StatefulQueryDetectorOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Stateful query detection", DefenseKind.Detection, Papers.Chen2020Stateful, [AttackFamily.Evasion, AttackFamily.Extraction]);

    /// <summary>The clients seen so far.</summary>
    public IReadOnlyCollection<string> Clients => _clients.Keys.ToArray();

    /// <summary>Queries flagged so far, over all clients.</summary>
    public long Detections => _clients.Values.Sum(c => c.Detections);

    /// <inheritdoc />
    /// <remarks>The queries of <see cref="DefaultClient"/>; use <see cref="ForClient"/> for a deployment with several clients.</remarks>
    public QueryVerdict Inspect(Tensor queries) => Inspect(DefaultClient, queries);

    /// <summary>Scores <paramref name="queries"/> [N, ...] against <paramref name="client"/>'s memory, in order, and remembers them.</summary>
    /// <exception cref="ArgumentException">The queries are not a floating batch, or their size differs from that client's memory.</exception>
    public QueryVerdict Inspect(string client, Tensor queries)
    {
        ArgumentNullException.ThrowIfNull(client);
        var memory = _clients.GetOrAdd(client, _ => new ClientMemory());
        using var scope = NewDisposeScope();
        var embedded = Embed(queries);
        var result = memory.Inspect(embedded, _options);
        var reason = result.Count > 0
            ? $"{result.Count} quer{(result.Count == 1 ? "y" : "ies")} within a mean distance {result.LowestScore:G4} of {_options.Neighbours} earlier queries of client '{client}' (threshold {_options.Threshold:G4})"
            : null;
        return new QueryVerdict(result.Flags.MoveToOuterDisposeScope(), reason);
    }

    /// <summary>The scores (mean distance to the K nearest stored queries) <paramref name="queries"/> would get from <paramref name="client"/>, without remembering them; NaN where too few are stored.</summary>
    public Tensor Score(string client, Tensor queries)
    {
        ArgumentNullException.ThrowIfNull(client);
        var memory = _clients.GetOrAdd(client, _ => new ClientMemory());
        using var scope = NewDisposeScope();
        return memory.Score(Embed(queries), _options).MoveToOuterDisposeScope();
    }

    /// <summary>A view of this detector for one client: pass it to a <see cref="MonitoredClassifier"/>.</summary>
    public IQueryDetector ForClient(string client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ClientView(this, client);
    }

    /// <summary>The queries <paramref name="client"/> has stored (at most <see cref="StatefulQueryDetectorOptions.MemorySize"/>).</summary>
    public int MemoryCount(string client) => _clients.TryGetValue(client, out var m) ? m.Count : 0;

    /// <summary>Flagged queries of <paramref name="client"/> so far.</summary>
    public long DetectionsOf(string client) => _clients.TryGetValue(client, out var m) ? m.Detections : 0;

    /// <summary>Forgets <paramref name="client"/>'s queries, or every client's when null.</summary>
    public void Reset(string? client = null)
    {
        if (client is null)
        {
            foreach (var key in _clients.Keys) if (_clients.TryRemove(key, out var m)) m.Dispose();
            return;
        }
        if (_clients.TryRemove(client, out var one)) one.Dispose();
    }

    /// <summary>
    /// Calibrates the threshold on benign queries [M, ...]: each is scored by its mean distance to its K nearest among the
    /// others of its chunk of <see cref="StatefulQueryDetectorOptions.MemorySize"/> (what a full memory holds), and the
    /// threshold is the <paramref name="targetFalsePositiveRate"/> quantile of those scores (paper: 0.001).
    /// </summary>
    /// <param name="benign">Benign queries, at least K + 1.</param>
    /// <param name="targetFalsePositiveRate">The share of benign scores allowed below the threshold, in (0, 1). Paper: 0.001.</param>
    /// <param name="neighbours">K. Paper: 50.</param>
    /// <param name="memorySize">The detector's memory size (the calibration's chunk size).</param>
    /// <param name="encoder">The detector's encoder, when it has one.</param>
    public static DetectorCalibration Calibrate(Tensor benign, double targetFalsePositiveRate = 0.001, int neighbours = 50, int memorySize = 1000,
        Func<Tensor, Tensor>? encoder = null)
    {
        Guard.Batch(benign, nameof(benign));
        if (!(targetFalsePositiveRate > 0 && targetFalsePositiveRate < 1))
            throw new ArgumentOutOfRangeException(nameof(targetFalsePositiveRate), targetFalsePositiveRate, "targetFalsePositiveRate must lie strictly between 0 and 1.");
        Guard.Positive(neighbours, nameof(neighbours));
        Guard.Positive(memorySize, nameof(memorySize));
        var m = benign.shape[0];
        if (m <= neighbours)
            throw new ArgumentException($"Calibration needs more than K = {neighbours} benign queries; got {m}.", nameof(benign));
        using var scope = NewDisposeScope();
        var embedded = Embed(benign, encoder);
        var scores = new List<Tensor>();
        var chunk = Math.Max(memorySize, neighbours + 1);
        for (long start = 0; start < m; start += chunk)
        {
            var len = Math.Min(chunk, m - start);
            if (len <= neighbours) break; // a short tail cannot be scored with K neighbours
            var part = embedded.narrow(0, start, len);
            var d = cdist(part, part).masked_fill(eye(len, dtype: ScalarType.Bool, device: part.device), double.PositiveInfinity);
            var (nearest, _) = d.topk(neighbours, dim: 1, largest: false, sorted: false);
            scores.Add(nearest.mean([1]));
        }
        var all = cat(scores, 0).to_type(ScalarType.Float64).cpu();
        var sorted = all.sort().Values.data<double>().ToArray();
        var threshold = Quantile(sorted, targetFalsePositiveRate);
        return new DetectorCalibration(threshold, targetFalsePositiveRate, sorted.Length, Quantile(sorted, 0.5));
    }

    private Tensor Embed(Tensor queries) => Embed(queries, _options.Encoder);

    private static Tensor Embed(Tensor queries, Func<Tensor, Tensor>? encoder)
    {
        Guard.Batch(queries, nameof(queries));
        using var noGrad = no_grad();
        var x = queries.detach();
        if (x.dtype != ScalarType.Float32) x = x.to_type(ScalarType.Float32);
        var e = encoder is null ? x : encoder(x);
        if (e is null || e.dim() < 1 || e.shape[0] != queries.shape[0])
            throw new InvalidOperationException($"The encoder must return one embedding per query ({queries.shape[0]}).");
        e = e.reshape(queries.shape[0], -1);
        return e.dtype == ScalarType.Float32 ? e : e.to_type(ScalarType.Float32);
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values, linearly interpolated.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private sealed class ClientView(StatefulQueryDetector detector, string client) : IQueryDetector
    {
        public DefenseDescriptor Descriptor => detector.Descriptor;

        public QueryVerdict Inspect(Tensor queries) => detector.Inspect(client, queries);
    }

    private readonly record struct Outcome(Tensor Flags, int Count, double LowestScore);

    /// <summary>One client's FIFO memory: a ring buffer [capacity, D] on the queries' device, guarded by its own lock.</summary>
    private sealed class ClientMemory : IDisposable
    {
        private readonly object _gate = new();
        private Tensor? _buffer;
        private Tensor? _norms; // ‖m‖² of each slot of the buffer
        private int _head; // where the next query is written
        private int _count;
        private long _detections;

        public int Count
        {
            get { lock (_gate) return _count; }
        }

        public long Detections => Interlocked.Read(ref _detections);

        public Tensor Score(Tensor embedded, StatefulQueryDetectorOptions o)
        {
            lock (_gate)
            {
                Check(embedded);
                return Scores(embedded, o);
            }
        }

        public Outcome Inspect(Tensor embedded, StatefulQueryDetectorOptions o)
        {
            lock (_gate)
            {
                Check(embedded);
                var n = embedded.shape[0];
                if (n == 1) return InspectOne(embedded, o);
                var flags = zeros(n, dtype: ScalarType.Bool, device: embedded.device);
                var count = 0;
                var lowest = double.PositiveInfinity;
                long start = 0;
                while (start < n)
                {
                    var rest = embedded.narrow(0, start, n - start);
                    var scores = Scores(rest, o);
                    var hit = scores.lt(o.Threshold); // NaN (too few stored) is never below
                    long stop;
                    if (!o.ClearOnDetection)
                    {
                        flags.narrow(0, start, n - start).copy_(hit);
                        var hits = (int)hit.sum().item<long>();
                        count += hits;
                        if (hits > 0) lowest = Math.Min(lowest, scores.masked_select(hit).min().item<float>());
                        Remember(rest, o.MemorySize);
                        break;
                    }
                    var first = hit.nonzero();
                    if (first.shape[0] == 0)
                    {
                        Remember(rest, o.MemorySize);
                        break;
                    }
                    stop = first[0, 0].item<long>();
                    flags[start + stop] = true;
                    count++;
                    lowest = Math.Min(lowest, scores[stop].item<float>());
                    // The flagged query's predecessors are remembered, then the memory is cleared (the paper's code):
                    // the queries after it are scored against a fresh memory.
                    Remember(rest.narrow(0, 0, stop + 1), o.MemorySize);
                    Clear();
                    start += stop + 1;
                }
                Interlocked.Add(ref _detections, count);
                return new Outcome(flags, count, lowest);
            }
        }

        /// <summary>
        /// The hot path of a query-by-query stream: one query scored against the whole memory with one matrix-vector
        /// product and one top-k (<see cref="ScoreOne"/>), compared on the host, remembered (or the memory cleared).
        /// </summary>
        private Outcome InspectOne(Tensor q, StatefulQueryDetectorOptions o)
        {
            var score = _count >= o.MinimumNeighbours ? ScoreOne(q, o.Neighbours) : float.NaN;
            var hit = score < o.Threshold; // NaN (too few stored) is never below
            if (hit && o.ClearOnDetection) Clear(); // the query would be remembered and then cleared with the rest
            else Remember(q, o.MemorySize);
            if (hit) Interlocked.Increment(ref _detections);
            var flags = hit ? ones(1, dtype: ScalarType.Bool, device: q.device) : zeros(1, dtype: ScalarType.Bool, device: q.device);
            return new Outcome(flags, hit ? 1 : 0, hit ? score : double.PositiveInfinity);
        }

        /// <summary>
        /// The mean L2 distance of one query [1, D] to its K nearest stored queries. The stored queries are ranked by
        /// ‖m‖² − 2·m·q (the squared distance less the constant ‖q‖²), one <c>addmv</c> over the memory with the squared
        /// norms cached when each query was stored; the K distances are then computed exactly from the K rows found, so the
        /// score equals the plain <c>cdist</c> one (ranking ties aside) without the cancellation of the expanded form.
        /// </summary>
        private float ScoreOne(Tensor q, int neighbours)
        {
            var count = _count;
            var stored = count < _buffer!.shape[0] ? _buffer.narrow(0, 0, count) : _buffer;
            var norms = count < _norms!.shape[0] ? _norms.narrow(0, 0, count) : _norms;
            var v = q.view(-1);
            var k = Math.Min(neighbours, count);
            var ranking = norms.addmv(stored, v, beta: 1, alpha: -2);
            var (_, nearest) = ranking.topk(k, dim: 0, largest: false, sorted: false);
            return stored.index_select(0, nearest).sub_(v).norm(1).mean().item<float>();
        }

        /// <summary>
        /// Each query's mean distance to its K nearest among the queries a one-by-one stream would have in memory when it
        /// arrives: the newest <c>capacity</c> of (stored, then the batch's earlier queries). NaN with fewer than the minimum.
        /// </summary>
        private Tensor Scores(Tensor q, StatefulQueryDetectorOptions o)
        {
            var n = q.shape[0];
            var capacity = o.MemorySize;
            if (n == 1 && _count >= o.MinimumNeighbours)
                return full(1, ScoreOne(q, o.Neighbours), dtype: ScalarType.Float32, device: q.device); // one query sees the whole memory
            var position = (arange(n, dtype: ScalarType.Int64, device: q.device) + _count).unsqueeze(1); // query i's place in the stream
            Tensor d, column;
            if (_count == 0)
            {
                d = cdist(q, q);
                column = arange(n, dtype: ScalarType.Int64, device: q.device);
            }
            else
            {
                // Stored slots in buffer order (no copy of the memory), each with its place in the stream.
                var stored = _count < _buffer!.shape[0] ? _buffer.narrow(0, 0, _count) : _buffer;
                var slots = arange(_count, dtype: ScalarType.Int64, device: q.device);
                var age = _count < capacity ? slots : (slots - _head).remainder(capacity);
                d = cat([cdist(q, stored), cdist(q, q)], 1); // [n, count + n]
                column = cat([age, arange(n, dtype: ScalarType.Int64, device: q.device) + _count], 0);
            }
            column = column.unsqueeze(0);
            var visible = column.lt(position).logical_and(column.ge(position - capacity));
            d = d.masked_fill(visible.logical_not(), double.PositiveInfinity);
            var available = position.squeeze(1).clamp_max(capacity);
            var k = (int)Math.Min(o.Neighbours, d.shape[1]);
            var (nearest, _) = d.topk(k, dim: 1, largest: false, sorted: true);
            var used = available.clamp_max(o.Neighbours);
            var mask = arange(k, dtype: ScalarType.Int64, device: q.device).unsqueeze(0).lt(used.unsqueeze(1));
            var sum = nearest.masked_fill(mask.logical_not(), 0).sum(1);
            var mean = sum / used.clamp_min(1).to_type(ScalarType.Float32);
            return mean.masked_fill(available.lt(o.MinimumNeighbours), float.NaN);
        }

        private void Check(Tensor embedded)
        {
            if (_buffer is not null && (_buffer.shape[1] != embedded.shape[1] || _buffer.device_type != embedded.device_type || _buffer.device_index != embedded.device_index))
                throw new ArgumentException(
                    $"This client's memory holds embeddings of {_buffer.shape[1]} features on {_buffer.device}; the queries give {embedded.shape[1]} on {embedded.device}.", "queries");
        }

        /// <summary>Appends queries to the ring buffer, dropping the oldest beyond the capacity.</summary>
        private void Remember(Tensor q, int capacity)
        {
            if (q.shape[0] == 0) return;
            _buffer ??= zeros([capacity, q.shape[1]], dtype: ScalarType.Float32, device: q.device).DetachFromDisposeScope();
            _norms ??= zeros(capacity, dtype: ScalarType.Float32, device: q.device).DetachFromDisposeScope();
            var n = (int)Math.Min(q.shape[0], capacity);
            var source = q.narrow(0, q.shape[0] - n, n); // only the newest `capacity` can survive
            var norms = n == 1 ? source.view(-1).dot(source.view(-1)).view(1) : source.square().sum(1);
            var first = Math.Min(n, capacity - _head);
            _buffer.narrow(0, _head, first).copy_(source.narrow(0, 0, first));
            _norms.narrow(0, _head, first).copy_(norms.narrow(0, 0, first));
            if (n > first)
            {
                _buffer.narrow(0, 0, n - first).copy_(source.narrow(0, first, n - first));
                _norms.narrow(0, 0, n - first).copy_(norms.narrow(0, first, n - first));
            }
            _head = (_head + n) % capacity;
            _count = Math.Min(capacity, _count + n);
        }

        private void Clear()
        {
            _head = 0;
            _count = 0;
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _buffer?.Dispose();
                _buffer = null;
                _norms?.Dispose();
                _norms = null;
                Clear();
            }
        }
    }
}
