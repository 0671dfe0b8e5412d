using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>A TorchScript module as a module of the library's shape (a tensor in, a tensor out).</summary>
internal sealed class ScriptedModule : nn.Module<Tensor, Tensor>
{
    // The script is reached only through delegates, never a field: TorchSharp registers a field holding a module as a
    // submodule, and its recursive disposal walks a script module's children after disposing it.
    private readonly Func<Tensor, Tensor> _call;
    private readonly Action<ScalarType> _convert;
    private readonly Action _dispose;

    public ScriptedModule(jit.ScriptModule<Tensor, Tensor> script) : base("TorchScript")
    {
        _call = script.call;
        _convert = dtype => script.to(dtype);
        _dispose = script.Dispose;
    }

    public override Tensor forward(Tensor input) => _call(input);

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        _convert(dtype);
        return this;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dispose();
        base.Dispose(disposing);
    }
}
