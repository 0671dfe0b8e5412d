namespace NeuralShield.Evaluation;

/// <summary>
/// The records a membership inference evaluation scores: members of the target's training data followed by
/// non-members, with the membership of each and where each came from. Owns <see cref="Records"/>.
/// </summary>
public sealed class MembershipCandidates : IDisposable
{
    private MembershipCandidates(LabeledData records, bool[] isMember, long[] memberIndices, long[] nonMemberIndices)
    {
        Records = records;
        _isMember = isMember;
        MemberIndices = memberIndices;
        NonMemberIndices = nonMemberIndices;
    }

    private readonly bool[] _isMember;

    /// <summary>The candidates: the members first, then the non-members.</summary>
    public LabeledData Records { get; }

    /// <summary>Whether candidate i is a member (the first <see cref="MemberCount"/> are).</summary>
    public IReadOnlyList<bool> IsMember => _isMember;

    /// <summary>The members' rows in the training data they were taken from.</summary>
    public IReadOnlyList<long> MemberIndices { get; }

    /// <summary>The non-members' rows in the data they were taken from.</summary>
    public IReadOnlyList<long> NonMemberIndices { get; }

    /// <summary>Number of members.</summary>
    public int MemberCount => MemberIndices.Count;

    /// <summary>Number of candidates.</summary>
    public int Count => _isMember.Length;

    /// <summary>Every record of <paramref name="members"/> followed by every record of <paramref name="nonMembers"/>.</summary>
    /// <exception cref="ArgumentException">Either set is empty, or their class counts or sample shapes differ.</exception>
    public static MembershipCandidates Of(LabeledData members, LabeledData nonMembers) =>
        Of(members, Enumerable.Range(0, members?.Count ?? 0).Select(i => (long)i).ToArray(),
            nonMembers, Enumerable.Range(0, nonMembers?.Count ?? 0).Select(i => (long)i).ToArray());

    /// <summary>The first <paramref name="perSide"/> records of <paramref name="training"/> (members) and of <paramref name="nonMembers"/>, fewer where either is smaller.</summary>
    /// <exception cref="ArgumentException">Either set is empty, or their class counts or sample shapes differ.</exception>
    public static MembershipCandidates First(LabeledData training, LabeledData nonMembers, int perSide)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(nonMembers);
        Guard.Positive(perSide, nameof(perSide));
        var n = Math.Min(perSide, Math.Min(training.Count, nonMembers.Count));
        var rows = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        return Of(training, rows, nonMembers, rows);
    }

    /// <summary>Rows <paramref name="memberRows"/> of <paramref name="training"/> (members) followed by rows <paramref name="nonMemberRows"/> of <paramref name="nonMembers"/>.</summary>
    /// <exception cref="ArgumentException">No member or no non-member, a row out of range, or class counts or sample shapes that differ.</exception>
    public static MembershipCandidates Of(LabeledData training, IReadOnlyList<long> memberRows, LabeledData nonMembers, IReadOnlyList<long> nonMemberRows)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(memberRows);
        ArgumentNullException.ThrowIfNull(nonMembers);
        ArgumentNullException.ThrowIfNull(nonMemberRows);
        if (memberRows.Count == 0) throw new ArgumentException("At least one member is needed.", nameof(memberRows));
        if (nonMemberRows.Count == 0) throw new ArgumentException("At least one non-member is needed.", nameof(nonMemberRows));
        if (training.ClassCount != nonMembers.ClassCount)
            throw new ArgumentException($"The members have {training.ClassCount} classes but the non-members {nonMembers.ClassCount}.", nameof(nonMembers));
        if (!training.SampleShape.SequenceEqual(nonMembers.SampleShape))
            throw new ArgumentException($"The members' samples are [{string.Join(", ", training.SampleShape)}] but the non-members' [{string.Join(", ", nonMembers.SampleShape)}].", nameof(nonMembers));
        using var members = training.Subset(memberRows);
        using var others = nonMembers.Subset(nonMemberRows);
        var records = members.Concat(others);
        var isMember = Enumerable.Range(0, memberRows.Count + nonMemberRows.Count).Select(i => i < memberRows.Count).ToArray();
        return new MembershipCandidates(records, isMember, memberRows.ToArray(), nonMemberRows.ToArray());
    }

    /// <inheritdoc />
    public void Dispose() => Records.Dispose();
}
