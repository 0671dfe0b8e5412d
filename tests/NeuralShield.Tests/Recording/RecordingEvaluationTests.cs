using NeuralShield.Data;
using NeuralShield.Recording;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Recording;

public sealed class RecordingEvaluationTests
{
    private static LabeledData Data(int n, params long[] shape) =>
        new(rand([n, .. shape]), randint(0, 10, [n], dtype: ScalarType.Int64), 10);

    [Fact]
    public void DataOfAnotherShapeAndBadOptionsAreRefusedByName()
    {
        using var mnist = Data(8, 1, 28, 28);
        using var flat = Data(8, 784);
        var e = Assert.Throws<ArgumentException>(() => RecordingEvaluation.Run(mnist, flat, mnist));
        Assert.Equal("stream", e.ParamName);
        Assert.Throws<ArgumentException>(() => RecordingEvaluation.Run(mnist, mnist, mnist, new RecordingOptions { Canaries = 11 }));
        var r = Assert.Throws<ArgumentException>(() => RecordingEvaluation.Run(mnist, mnist, mnist, new RecordingOptions { Repetitions = [4, 0] }));
        Assert.Equal("Repetitions", r.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordingEvaluation.Run(mnist, mnist, mnist, new RecordingOptions { Bits = 20 }));
    }
}
