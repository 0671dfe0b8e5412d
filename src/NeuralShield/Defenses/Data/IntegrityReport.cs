namespace NeuralShield.Defenses.Data;

/// <summary>The outcome of <see cref="IntegrityManifest.Verify"/>.</summary>
/// <param name="ChangedRecords">Indices (in the verified set) of records whose content differs from the manifest's record at that place.</param>
/// <param name="AddedRecords">Indices (in the verified set) of records the manifest does not hold.</param>
/// <param name="RemovedRecords">Indices (in the manifest) of records missing from the verified set.</param>
/// <param name="ChangedFiles">Covered files whose length or hash differ.</param>
/// <param name="MissingFiles">Covered files that were not given to verify.</param>
/// <param name="UnexpectedFiles">Files given to verify that the manifest does not cover.</param>
/// <param name="ShapeMismatch">A description when the set's sample shape or class count differ from the manifest's, else null.</param>
public sealed record IntegrityReport(IReadOnlyList<long> ChangedRecords, IReadOnlyList<long> AddedRecords, IReadOnlyList<long> RemovedRecords,
    IReadOnlyList<string> ChangedFiles, IReadOnlyList<string> MissingFiles, IReadOnlyList<string> UnexpectedFiles, string? ShapeMismatch)
{
    /// <summary>Whether nothing differs from the manifest.</summary>
    public bool Intact => ChangedRecords.Count == 0 && AddedRecords.Count == 0 && RemovedRecords.Count == 0 && ChangedFiles.Count == 0
        && MissingFiles.Count == 0 && UnexpectedFiles.Count == 0 && ShapeMismatch is null;

    /// <summary>What differs, in a line (the first records of each kind by index).</summary>
    public string Describe()
    {
        if (Intact) return "The data match the manifest.";
        var parts = new List<string>();
        if (ShapeMismatch is not null) parts.Add(ShapeMismatch);
        Add(parts, "changed records", ChangedRecords);
        Add(parts, "added records", AddedRecords);
        Add(parts, "removed records (manifest indices)", RemovedRecords);
        if (ChangedFiles.Count > 0) parts.Add($"changed files: {string.Join(", ", ChangedFiles)}");
        if (MissingFiles.Count > 0) parts.Add($"missing files: {string.Join(", ", MissingFiles)}");
        if (UnexpectedFiles.Count > 0) parts.Add($"files not in the manifest: {string.Join(", ", UnexpectedFiles)}");
        return string.Join("; ", parts) + ".";
    }

    private static void Add(List<string> parts, string what, IReadOnlyList<long> indices)
    {
        if (indices.Count == 0) return;
        var shown = string.Join(", ", indices.Take(10));
        parts.Add($"{indices.Count} {what}: {shown}{(indices.Count > 10 ? ", ..." : "")}");
    }
}
