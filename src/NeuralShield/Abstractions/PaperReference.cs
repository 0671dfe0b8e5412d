namespace NeuralShield;

/// <summary>The paper an attack or defense implements.</summary>
/// <param name="Authors">Authors, e.g. "Madry, Makelov, Schmidt, Tsipras, Vladu".</param>
/// <param name="Title">Title.</param>
/// <param name="Venue">Venue and year, e.g. "ICLR 2018".</param>
/// <param name="ArXiv">arXiv identifier, when there is one (e.g. "1706.06083").</param>
public sealed record PaperReference(string Authors, string Title, string Venue, string? ArXiv = null)
{
    /// <summary>A compact citation: authors, venue, arXiv.</summary>
    public override string ToString() => ArXiv is null ? $"{Authors}, {Venue}" : $"{Authors}, {Venue}, arXiv {ArXiv}";
}
