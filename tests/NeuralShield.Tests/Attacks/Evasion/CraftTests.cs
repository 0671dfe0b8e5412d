using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary><c>Craft</c> gives exactly the adversarials of <c>Run</c>, without the success check.</summary>
public sealed class CraftTests : IDisposable
{
    private readonly LabeledData _data = TestModels.Blobs(20, 6, seed: 12);
    private readonly TorchClassifier _model;

    public CraftTests() => _model = TestModels.TrainedMlp(_data, seed: 12);

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void CraftEqualsTheAdversarialsOfRunAndSendsNoSuccessCheck()
    {
        var targets = (_data.Labels + 1).remainder(3);
        var cases = new (EvasionAttackBase<IDifferentiableClassifier> Attack, AttackGoal Goal)[]
        {
            (new Fgsm(new FgsmOptions { Epsilon = 0.2 }), AttackGoal.Untargeted(_data.Labels)),
            (new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 4, Seed = 3 }), AttackGoal.Untargeted(_data.Labels)),
            (new Jsma(new JsmaOptions { Gamma = 0.5 }), AttackGoal.Targeted(targets)),
            (new DeepFool(new DeepFoolOptions { MaxIterations = 5 }), AttackGoal.Untargeted(_data.Labels)),
        };
        foreach (var (attack, goal) in cases)
        {
            using var run = attack.Run(_model, _data.Features, goal);
            var before = _model.QueryCount;
            using var crafted = attack.Craft(_model, _data.Features, goal);
            var craftQueries = _model.QueryCount - before;
            Assert.True(TensorAssert.Same(run.Adversarials, crafted), attack.Descriptor.Name);
            Assert.Equal(run.Metrics.Queries, craftQueries);
        }
        Assert.Equal("goal", Assert.Throws<ArgumentException>(() => new Jsma().Craft(_model, _data.Features, AttackGoal.Untargeted(_data.Labels))).ParamName);
    }
}
