using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;

namespace NeuralShield.Tests.Attacks;

/// <summary>
/// Options are validated once and copied: changing the caller's options object, or the copy an attack hands back,
/// after construction changes nothing about the next run — even to values validation would refuse.
/// </summary>
public sealed class OptionsAreSealedTests : IDisposable
{
    private readonly LabeledData _data = TestModels.Blobs(16, 6, seed: 8);
    private readonly TorchClassifier _model;

    public OptionsAreSealedTests() => _model = TestModels.TrainedMlp(_data, seed: 8);

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }

    private void SameRun(IEvasionAttack<IDifferentiableClassifier> attack, AttackGoal goal, EvasionResult before)
    {
        using var after = attack.Run(_model, _data.Features, goal);
        Assert.True(TensorAssert.Same(before.Adversarials, after.Adversarials), attack.Descriptor.Name);
    }

    [Fact]
    public void PgdAndFgsmIgnoreChangesToTheirOptionsAfterConstruction()
    {
        var goal = AttackGoal.Untargeted(_data.Labels);
        var options = new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 4, Seed = 1 };
        var pgd = new Pgd(options);
        using var before = pgd.Run(_model, _data.Features, goal);
        options.Epsilon = -5;
        options.Steps = 0;
        options.Norm = Norm.L0;
        var handedBack = pgd.Options;
        handedBack.Epsilon = 1e6;
        handedBack.Steps = -1;
        SameRun(pgd, goal, before);
        Assert.Equal(0.2, pgd.Options.Epsilon);

        var fgsmOptions = new FgsmOptions { Epsilon = 0.1 };
        var fgsm = new Fgsm(fgsmOptions);
        using var fgsmBefore = fgsm.Run(_model, _data.Features, goal);
        fgsmOptions.Epsilon = 0.9;
        fgsm.Options.Epsilon = 0.9;
        SameRun(fgsm, goal, fgsmBefore);
    }

    [Fact]
    public void JsmaAndDeepFoolIgnoreChangesToTheirOptionsAfterConstruction()
    {
        var targets = (_data.Labels + 1).remainder(3);
        var jsmaOptions = new JsmaOptions { Gamma = 0.5 };
        var jsma = new Jsma(jsmaOptions);
        using var jsmaBefore = jsma.Run(_model, _data.Features, AttackGoal.Targeted(targets));
        jsmaOptions.Gamma = 0.01;
        jsmaOptions.Direction = JsmaDirection.Decrease;
        jsma.Options.Gamma = 2;
        SameRun(jsma, AttackGoal.Targeted(targets), jsmaBefore);

        var deepFoolOptions = new DeepFoolOptions { MaxIterations = 10 };
        var deepFool = new DeepFool(deepFoolOptions);
        using var deepFoolBefore = deepFool.Run(_model, _data.Features, AttackGoal.Untargeted(_data.Labels));
        deepFoolOptions.MaxIterations = 1;
        deepFoolOptions.Overshoot = 5;
        deepFool.Options.Overshoot = -1;
        SameRun(deepFool, AttackGoal.Untargeted(_data.Labels), deepFoolBefore);
    }

    [Fact]
    public void FoolingAttacksIgnoreChangesToTheirOptionsAfterConstruction()
    {
        var gradientOptions = new GradientAscentFoolingOptions { Steps = 20, Seed = 2 };
        var gradient = new GradientAscentFooling(gradientOptions);
        using var a = gradient.Generate(_model, [0, 1, 2], [6]);
        gradientOptions.Steps = 0;
        gradientOptions.StepSize = -1;
        gradient.Options.Seed = 99;
        using var b = gradient.Generate(_model, [0, 1, 2], [6]);
        Assert.True(TensorAssert.Same(a.Images, b.Images));

        var evolutionOptions = new EvolutionaryFoolingOptions { Generations = 5, PopulationSize = 8, Seed = 2 };
        var evolution = new EvolutionaryFooling(evolutionOptions);
        using var c = evolution.Generate(_model, [0, 1], [6]);
        evolutionOptions.Generations = 0;
        evolutionOptions.Seed = 3;
        evolution.Options.PopulationSize = -4;
        using var d = evolution.Generate(_model, [0, 1], [6]);
        Assert.True(TensorAssert.Same(c.Images, d.Images));
    }

    [Fact]
    public void TheTrainerIgnoresChangesToItsOptionsAfterConstruction()
    {
        var options = new TrainingOptions { Epochs = 2, BatchSize = 8, LearningRate = 1e-2, Seed = 4 };
        var trainer = new Trainer(options);
        options.Epochs = -1;
        options.LearningRate = double.NaN;
        trainer.Options.Epochs = 0;
        trainer.Options.BatchSize = -3;
        using var module = ModelZoo.Mlp(6, [8], 3, Activation.ReLU, seed: 1);
        var result = trainer.Fit(module, _data);
        Assert.Equal(2, result.Epochs.Count);
        Assert.True(double.IsFinite(result.Epochs[^1].TrainLoss));
        Assert.Equal(2, trainer.Options.Epochs);
    }

    [Fact]
    public void RecipesAreCopiedByWhoKeepsThem()
    {
        var recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.Mlp(6, [8], 3, Activation.ReLU, s),
            Training = new TrainingOptions { Epochs = 1, BatchSize = 8 },
        };
        var defense = new NeuralShield.Defenses.Training.Saturation(new NeuralShield.Defenses.Training.SaturationOptions { Recipe = recipe, Lambda = 0.01 });
        recipe.Training.Epochs = 0;
        recipe.Architecture = null!;
        using var result = defense.Fit(_data);
        Assert.Single(result.Training.Epochs);
        Assert.Equal(1, defense.Options.Recipe.Training.Epochs);
    }
}
