using System.Text;
using Microsoft.Extensions.Logging;

namespace NeuralShield.Orleans;

/// <summary>
/// Completed outcomes on storage every silo shares (<see cref="TrainingWorkerOptions.ResultDirectory"/>), one file per
/// job key: a silo writes the outcome before it reports the job complete, so a result lost with its silo before the
/// client has it is found by the silo that takes the job over instead of being trained again. A file appears whole or not
/// at all (written beside it, then renamed); one that cannot be read is deleted and the job trains again.
/// </summary>
internal sealed class JobResultStore(string directory, ILogger logger)
{
    private const string Magic = "NSJOB";
    private const int FormatVersion = 1;

    public string Directory { get; } = directory;

    /// <summary>The file of job <paramref name="key"/> ("run/index": letters, digits, '-' and '/').</summary>
    public string PathOf(string key)
    {
        if (string.IsNullOrEmpty(key) || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '/'))
            throw new ArgumentException($"A job key holds letters, digits, '-' and '/' only; got '{key}'.", nameof(key));
        return Path.Combine(Directory, key.Replace('/', '.') + ".outcome");
    }

    /// <summary>Writes <paramref name="outcome"/> (completed) as job <paramref name="key"/>'s; throws if it cannot.</summary>
    public void Save(string key, JobOutcome outcome)
    {
        var path = PathOf(key);
        System.IO.Directory.CreateDirectory(Directory);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Write(file, outcome);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Job <paramref name="key"/>'s stored outcome, or null when there is none or it cannot be read (then it is deleted).</summary>
    public JobOutcome? TryLoad(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        try
        {
            using var file = File.OpenRead(path);
            return Read(file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning("The stored outcome of job {Key} ({Path}) cannot be read and is deleted: {Reason}", key, path, e.Message);
            TryDelete(path);
            return null;
        }
    }

    /// <summary>Deletes job <paramref name="key"/>'s outcome (the client has it); nothing if there is none.</summary>
    public void Delete(string key) => TryDelete(PathOf(key));

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete {Path}: {Reason}", path, e.Message);
        }
    }

    /// <summary>A completed outcome in the store's versioned binary format.</summary>
    internal static void Write(Stream stream, JobOutcome outcome)
    {
        if (outcome.Status != JobStatus.Completed || outcome.Weights is null)
            throw new ArgumentException("Only a completed outcome with weights is stored.", nameof(outcome));
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(outcome.Worker);
        w.Write(outcome.Weights.Length);
        w.Write(outcome.Weights);
        w.Write(outcome.Epochs.Length);
        foreach (var e in outcome.Epochs)
        {
            w.Write(e.Epoch);
            w.Write(e.TrainLoss);
            w.Write(e.ValidationAccuracy.HasValue);
            w.Write(e.ValidationAccuracy ?? 0);
            w.Write(e.ElapsedTicks);
        }
        w.Write(outcome.BestEpoch);
        w.Write(outcome.StoppedEarly);
        w.Write(outcome.ElapsedTicks);
        w.Write(Magic); // a trailer: a file cut short anywhere is refused
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a whole outcome of this format.</exception>
    internal static JobOutcome Read(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (r.ReadString() != Magic) throw new InvalidDataException("not a stored job outcome.");
            var version = r.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"format version {version}; this worker reads version {FormatVersion}.");
            var worker = r.ReadString();
            var length = r.ReadInt32();
            if (length < 0 || length > stream.Length) throw new InvalidDataException($"a weights length of {length} bytes.");
            var weights = r.ReadBytes(length);
            if (weights.Length != length) throw new InvalidDataException("the weights are cut short.");
            var count = r.ReadInt32();
            if (count < 0 || count > stream.Length) throw new InvalidDataException($"{count} epochs.");
            var epochs = new EpochWire[count];
            for (var i = 0; i < count; i++)
            {
                var epoch = r.ReadInt32();
                var loss = r.ReadDouble();
                var hasAccuracy = r.ReadBoolean();
                var accuracy = r.ReadDouble();
                epochs[i] = new EpochWire { Epoch = epoch, TrainLoss = loss, ValidationAccuracy = hasAccuracy ? accuracy : null, ElapsedTicks = r.ReadInt64() };
            }
            var outcome = new JobOutcome
            {
                Status = JobStatus.Completed, Worker = worker, Weights = weights, Epochs = epochs,
                BestEpoch = r.ReadInt32(), StoppedEarly = r.ReadBoolean(), ElapsedTicks = r.ReadInt64(),
            };
            if (r.ReadString() != Magic) throw new InvalidDataException("the trailer is missing.");
            if (stream.CanSeek && stream.Position != stream.Length) throw new InvalidDataException("bytes follow the trailer.");
            return outcome;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the file is cut short.");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"a malformed field: {e.Message}");
        }
    }
}
