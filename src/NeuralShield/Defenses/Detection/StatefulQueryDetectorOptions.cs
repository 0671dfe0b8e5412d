namespace NeuralShield.Defenses.Detection;

/// <summary>Settings of <see cref="StatefulQueryDetector"/>, with the paper's values as defaults.</summary>
public sealed class StatefulQueryDetectorOptions : OptionsBase<StatefulQueryDetectorOptions>
{
    /// <summary>K, the nearest stored queries whose mean distance is the score. Paper: 50. Default 50.</summary>
    public int Neighbours { get; set; } = 50;

    /// <summary>The most queries remembered per client (a FIFO: the oldest is dropped first). Paper's code: 1,000 per chunk. Default 1,000.</summary>
    public int MemorySize { get; set; } = 1000;

    /// <summary>
    /// A query is flagged when the mean L2 distance to its nearest stored queries is below this. Required: set it from
    /// <see cref="StatefulQueryDetector.Calibrate"/> on benign data.
    /// </summary>
    public double Threshold { get; set; } = double.NaN;

    /// <summary>
    /// The fewest stored queries a score needs; with fewer stored than <see cref="Neighbours"/> (but at least this many),
    /// the mean runs over all of them. Default 1: a fresh client is scored from its second query.
    /// </summary>
    public int MinimumNeighbours { get; set; } = 1;

    /// <summary>Whether a client's memory is cleared after each flagged query, as the paper's code does (each detection then counts a fresh attack). Default true.</summary>
    public bool ClearOnDetection { get; set; } = true;

    /// <summary>
    /// Maps a batch of queries [N, ...] to embeddings [N, D] (e.g. a similarity encoder, as Chen et al. train for CIFAR-10);
    /// it runs without autograd on the queries' device. Null: the raw inputs, flattened.
    /// </summary>
    public Func<Tensor, Tensor>? Encoder { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Neighbours, nameof(Neighbours));
        Guard.Positive(MemorySize, nameof(MemorySize));
        Guard.Positive(MinimumNeighbours, nameof(MinimumNeighbours));
        if (MinimumNeighbours > Neighbours)
            throw new ArgumentOutOfRangeException(nameof(MinimumNeighbours), MinimumNeighbours, $"MinimumNeighbours must not exceed Neighbours ({Neighbours}).");
        if (Neighbours > MemorySize)
            throw new ArgumentOutOfRangeException(nameof(Neighbours), Neighbours, $"Neighbours must not exceed MemorySize ({MemorySize}).");
        if (double.IsNaN(Threshold))
            throw new ArgumentException("Threshold must be set; calibrate it on benign queries with StatefulQueryDetector.Calibrate.", nameof(Threshold));
        Guard.Positive(Threshold, nameof(Threshold));
    }
}
