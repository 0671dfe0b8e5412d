namespace NeuralShield.Defenses.Data;

/// <summary>A file covered by an <see cref="IntegrityManifest"/>.</summary>
/// <param name="Name">The file name (without directories).</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Sha256">SHA-256 of its bytes, lower-case hexadecimal.</param>
public sealed record ManifestFile(string Name, long Length, string Sha256);
