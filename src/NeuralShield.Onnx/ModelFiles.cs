using System.IO.Compression;
using NeuralShield.Data;
using NeuralShield.Models;

namespace NeuralShield.Onnx;

/// <summary>
/// A user's model file opened the way it allows, read from its content: an ONNX graph imported as a white box (or, with
/// an operator the importer does not run, run by ONNX Runtime as a black box), a TorchScript archive as a white box. The
/// input contract is checked on the test data before the model is handed over (<see cref="InputContract.Check"/>).
/// </summary>
public static class ModelFiles
{
    /// <summary>Opens the model file at <paramref name="path"/> for <paramref name="test"/>'s samples.</summary>
    /// <param name="path">An ONNX model, a TorchScript archive (<c>torch.jit.save</c>), or another file (then null).</param>
    /// <param name="test">Labelled test data: its sample shape and class count are the model's; the first 300 samples check the contract.</param>
    /// <param name="options">The declared contract: bounds, scaling, layout, output kind.</param>
    /// <param name="note">Told, in one line, when an ONNX graph falls back to the black-box route, and why.</param>
    /// <returns>The classifier (dispose it), or null when the file is neither ONNX nor TorchScript (a state_dict, TorchSharp weights).</returns>
    /// <exception cref="InvalidDataException">
    /// A zip archive cut short, a TorchScript file libtorch cannot load, or a model whose clean accuracy under the declared
    /// contract is near chance or clearly below another scaling or layout (the message names the one that fits).
    /// </exception>
    /// <exception cref="ArgumentException">The data's samples fit the model's input in no layout (or not the declared one), or the class counts differ.</exception>
    public static IClassifier? Open(string path, LabeledData test, OnnxClassifierOptions options, Action<string>? note = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        var declared = options.Copy();
        declared.ClassCount ??= test.ClassCount;
        var shape = test.SampleShape;
        Func<OnnxClassifierOptions, IClassifier> open;
        if (IsZip(path))
        {
            if (!IsTorchScript(path)) return null;
            open = o => ModelImport.TorchScript(path, shape, o);
        }
        else
        {
            open = o => ModelImport.Onnx(path, shape, o);
            try
            {
                ModelImport.Onnx(path, shape, declared).Dispose();
            }
            catch (InvalidDataException)
            {
                return null; // not ONNX
            }
            catch (NotSupportedException e)
            {
                // Bytes that merely parse as protobuf (TorchSharp's own weights can) are not ONNX unless ONNX Runtime opens them.
                try
                {
                    new OnnxClassifier(path, declared).Dispose();
                }
                catch (InvalidDataException)
                {
                    return null;
                }
                note?.Invoke($"white box not possible, so {Path.GetFileName(path)} is audited as a black box: {e.Message}");
                open = o => new OnnxClassifier(path, o);
            }
        }
        var check = InputContract.Check(open, declared, test);
        if (!check.Fits) throw new InvalidDataException($"the input contract does not fit: {check}.");
        return open(declared);
    }

    /// <summary>Whether the file starts with a zip local-file header (PyTorch's torch.save, TorchScript, ML.NET models).</summary>
    internal static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /// <summary>Whether the archive holds TorchScript code (a state_dict archive holds data.pkl and tensors only).</summary>
    private static bool IsTorchScript(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal) || e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is a zip archive cut short or damaged: no model (TorchScript, state_dict, ML.NET) can be read from it ({e.Message}).", e);
        }
    }
}
