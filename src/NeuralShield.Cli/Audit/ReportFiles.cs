using System.Text.Json;
using NeuralShield.Reports;

namespace NeuralShield.Cli.Audit;

/// <summary>The report files commands read and write, checked before any work: each mistake one line naming the option.</summary>
internal static class ReportFiles
{
    /// <summary>A report.json written by an audit.</summary>
    public static AuditReport Read(string option, string path)
    {
        try
        {
            var report = AuditReport.FromJson(File.ReadAllText(path));
            return report.Models is null || report.Results is null ? throw new JsonException("it holds no models and results") : report;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            throw new CliUserException($"{option} {path}: not a readable audit report.json ({CommandRunner.OneLine(e.Message)})", e);
        }
    }

    /// <summary>Creates the folder (or the file's folder) and writes and deletes a probe file in it.</summary>
    public static void CheckWritable(string option, string path, bool folder)
    {
        try
        {
            var directory = folder ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".neuralshield-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CliUserException($"{option} {path}: cannot write there ({CommandRunner.OneLine(e.Message)})", e);
        }
    }
}
