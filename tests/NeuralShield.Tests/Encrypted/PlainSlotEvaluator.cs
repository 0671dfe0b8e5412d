using NeuralShield.Encrypted;

namespace NeuralShield.Tests.Encrypted;

/// <summary>
/// The evaluator's operations on unencrypted slot vectors in double precision (rotation to the left, cyclic over all
/// slots, as SEAL's rotate_vector): checks the network's slot layout apart from the cryptography.
/// </summary>
internal sealed class PlainSlotEvaluator(CkksParameters parameters) : ICkksEvaluator
{
    private readonly Dictionary<long, double[]> _slots = [];
    private long _next = 1;

    public CkksParameters Parameters { get; } = parameters;

    public string KeyId => "plain";

    public HashSet<int> Rotations { get; } = [];

    public CiphertextHandle Put(double[] values)
    {
        var v = new double[Parameters.Slots];
        values.CopyTo(v, 0);
        _slots[_next] = v;
        return new CiphertextHandle(_next++, KeyId);
    }

    public double[] Get(CiphertextHandle handle) => _slots[handle.Id];

    public int Count => _slots.Count;

    public CiphertextHandle Load(Ciphertext ciphertext, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Ciphertext Save(CiphertextHandle handle, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    private readonly List<double[]> _plains = [];

    public PlainHandle StorePlain(double[] values, CancellationToken cancellationToken = default)
    {
        _plains.Add((double[])values.Clone());
        return new PlainHandle(_plains.Count - 1, this);
    }

    public CiphertextHandle DotPlain(IReadOnlyList<CiphertextHandle> ciphertexts, IReadOnlyList<PlainHandle> plains, CancellationToken cancellationToken = default)
    {
        var sum = new double[Parameters.Slots];
        for (var k = 0; k < ciphertexts.Count; k++)
        {
            var plain = _plains[(int)plains[k].Id];
            for (var i = 0; i < plain.Length; i++) sum[i] += Get(ciphertexts[k])[i] * plain[i];
        }
        return Put(sum);
    }

    public CiphertextHandle AddPlain(CiphertextHandle ciphertext, PlainHandle plain, CancellationToken cancellationToken = default)
    {
        var p = _plains[(int)plain.Id];
        return Put(Get(ciphertext).Select((x, i) => x + (i < p.Length ? p[i] : 0)).ToArray());
    }

    public CiphertextHandle Add(IReadOnlyList<CiphertextHandle> ciphertexts, CancellationToken cancellationToken = default) =>
        Put(Enumerable.Range(0, Parameters.Slots).Select(i => ciphertexts.Sum(c => Get(c)[i])).ToArray());

    public CiphertextHandle Square(CiphertextHandle ciphertext, CancellationToken cancellationToken = default) => Put(Get(ciphertext).Select(x => x * x).ToArray());

    public CiphertextHandle Rescale(CiphertextHandle ciphertext, CancellationToken cancellationToken = default) => Put(Get(ciphertext));

    public CiphertextHandle Rotate(CiphertextHandle ciphertext, int steps, CancellationToken cancellationToken = default)
    {
        Rotations.Add(steps);
        var v = Get(ciphertext);
        return Put(Enumerable.Range(0, v.Length).Select(i => v[(i + steps) % v.Length]).ToArray());
    }

    public void Release(IEnumerable<CiphertextHandle> ciphertexts)
    {
        foreach (var c in ciphertexts) _slots.Remove(c.Id);
    }

    public void Dispose()
    {
    }
}
