using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Defenses;
using NeuralShield.Attacks.Adaptive;
using NeuralShield.Evaluation;
using NeuralShield.Defenses.Training;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Training;

public class TrainingDefenseTests(DefenseFixture fixture) : IClassFixture<DefenseFixture>
{
    private LabeledData Train => fixture.Train;

    [Fact]
    public void DistillationIsSeededAndDeterministic()
    {
        DistillationResult Fit(long seed) => new DefensiveDistillation(new DefensiveDistillationOptions
        {
            Temperature = 20, Recipe = DefenseFixture.Recipe(Activation.ReLU, DefenseFixture.Options(2), seed), TeacherTraining = DefenseFixture.Options(1),
        }).Fit(Train);
        using var a = Fit(4);
        using var b = Fit(4);
        using var c = Fit(5);
        Assert.True(Weights.Identical(a.Classifier.Module, b.Classifier.Module));
        Assert.False(Weights.Identical(a.Classifier.Module, c.Classifier.Module));
        Assert.Single(a.TeacherTraining.Epochs);
        Assert.Equal(2, a.StudentTraining.Epochs.Count);
        Assert.Equal(20, a.Temperature);
    }

    [Fact]
    public void SaturationIsSeededAndDeterministic()
    {
        SaturationResult Fit(long seed) => new Saturation(new SaturationOptions
        {
            Lambda = 0.05, Recipe = DefenseFixture.Recipe(Activation.Sigmoid, DefenseFixture.Options(2), seed),
        }).Fit(Train);
        using var a = Fit(4);
        using var b = Fit(4);
        using var c = Fit(5);
        Assert.True(Weights.Identical(a.Classifier.Module, b.Classifier.Module));
        Assert.False(Weights.Identical(a.Classifier.Module, c.Classifier.Module));
        Assert.Equal(new[] { 0.0, 0.05 }, a.LambdaSchedule.ToArray());
    }

    [Fact]
    public void AdversarialTrainingIsSeededAndDeterministic()
    {
        AdversarialTrainingResult Fit(long seed)
        {
            var options = AdversarialTrainingOptions.Pgd(DefenseFixture.Recipe(Activation.ReLU, DefenseFixture.Options(1), seed), epsilon: 0.2, stepSize: 0.05, steps: 3, seed: 9);
            return new AdversarialTraining(options).Fit(Train);
        }
        using var a = Fit(4);
        using var b = Fit(4);
        using var c = Fit(5);
        Assert.True(Weights.Identical(a.Classifier.Module, b.Classifier.Module));
        Assert.False(Weights.Identical(a.Classifier.Module, c.Classifier.Module));
        Assert.Single(a.InnerAttackSuccessRates);
        Assert.InRange(a.InnerAttackSuccessRates[0], 0, 1);
    }

    [Fact]
    public void DefensesTrainUsefulClassifiers()
    {
        Assert.True(ModelAccuracy.Of(fixture.Plain, fixture.Test) > 0.85);
        Assert.True(ModelAccuracy.Of(fixture.Distilled.Classifier, fixture.Test) > 0.8);
        Assert.True(ModelAccuracy.Of(fixture.Saturated.Classifier, fixture.Test) > 0.8);
        Assert.True(ModelAccuracy.Of(fixture.AdversariallyTrained.Classifier, fixture.Test) > 0.8);
    }

    public static TheoryData<string> Defended => new() { "distilled", "saturated", "adversarial", "temperature-view", "stabilised-view" };

    private IDifferentiableClassifier Model(string name) => name switch
    {
        "distilled" => fixture.Distilled.Classifier,
        "saturated" => fixture.Saturated.Classifier,
        "adversarial" => fixture.AdversariallyTrained.Classifier,
        "temperature-view" => new TemperatureRestoredClassifier(fixture.Distilled.Classifier, 100),
        "stabilised-view" => new StabilisedGradientClassifier(fixture.Saturated.Classifier),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Defended))]
    public void EveryEvasionAttackRunsOnTheDefendedClassifierUnchanged(string name)
    {
        var model = Model(name);
        using var x = fixture.Test.Features.narrow(0, 0, 12);
        using var y = fixture.Test.Labels.narrow(0, 0, 12);
        using var target = (y + 3).remainder(10);
        var runs = new (IEvasionAttack<IDifferentiableClassifier> Attack, AttackGoal Goal)[]
        {
            (new Fgsm(new FgsmOptions { Epsilon = 0.2 }), AttackGoal.Untargeted(y)),
            (new Fgsm(new FgsmOptions { Epsilon = 0.2, Loss = GradientLoss.LogitMargin }), AttackGoal.Untargeted(y)),
            (new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 5, Seed = 1 }), AttackGoal.Untargeted(y)),
            (new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 5, Loss = GradientLoss.LogitMargin, Seed = 1 }), AttackGoal.Targeted(target)),
            (new Jsma(new JsmaOptions()), AttackGoal.Targeted(target)),
            (new Jsma(new JsmaOptions { Output = JsmaOutput.Logits }), AttackGoal.Targeted(target)),
            (new DeepFool(new DeepFoolOptions { MaxIterations = 10 }), AttackGoal.Untargeted(y)),
            (new DeepFool(new DeepFoolOptions { Norm = Norm.LInf, MaxIterations = 10 }), AttackGoal.Untargeted(y)),
            (new Cascade<IDifferentiableClassifier>(new Fgsm(new FgsmOptions { Epsilon = 0.1 }), new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 3 })), AttackGoal.Untargeted(y)),
            (new Repeat<IDifferentiableClassifier>(i => new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 3, Seed = i }), 2), AttackGoal.Untargeted(y)),
        };
        using var fitted = new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.2, MaxPasses = 1, MaxDeepFoolIterations = 3 }).Fit(model, x);
        using var universal = fitted.AsAttack();
        runs = [.. runs, (universal, AttackGoal.Untargeted(y))];
        foreach (var (attack, goal) in runs)
        {
            using var result = attack.Run(model, x, goal);
            Assert.Equal(x.shape, result.Adversarials.shape);
            Assert.True(model.Bounds.Contains(result.Adversarials), $"{attack.GetType().Name} left the bounds on {name}");
            using var predicted = model.Predict(result.Adversarials);
            using var success = goal.IsSuccess(predicted);
            Assert.True(TensorAssert.Same(success, result.Success), $"{attack.GetType().Name} success check on {name}");
            Assert.InRange(result.Metrics.SuccessRate, 0, 1);
        }
    }

    [Fact]
    public void ViewsPredictWhatTheWrappedClassifierPredicts()
    {
        using var x = fixture.Test.Features.narrow(0, 0, 50);
        var temperature = new TemperatureRestoredClassifier(fixture.Distilled.Classifier, 100);
        using var a = fixture.Distilled.Classifier.Predict(x);
        using var b = temperature.Predict(x);
        Assert.True(TensorAssert.Same(a, b));
        using var raw = fixture.Distilled.Classifier.Logits(x);
        using var scaled = temperature.Logits(x);
        Assert.True(scaled.allclose(raw / 100, rtol: 1e-6, atol: 1e-6));

        var stabilised = new StabilisedGradientClassifier(fixture.Saturated.Classifier);
        using var exact = fixture.Saturated.Classifier.Logits(x);
        using var surrogate = stabilised.Logits(x);
        Assert.True(TensorAssert.Same(exact, surrogate));
    }

    [Fact]
    public void StabilisedGradientPassesWhereTheSigmoidGradientIsExactlyZero()
    {
        // A sigmoid unit driven to σ(z) = 1.0 in float32 has derivative h(1 − h) = 0 exactly.
        random.manual_seed(17);
        var module = nn.Sequential(("fc1", nn.Linear(2, 3)), ("act1", nn.Sigmoid()), ("logits", nn.Linear(3, 2)));
        using (no_grad())
        {
            module.named_parameters().First(p => p.name == "fc1.weight").parameter.copy_(tensor(new float[,] { { 100, -100 }, { 80, 20 }, { 60, 60 } }));
            module.named_parameters().First(p => p.name == "fc1.bias").parameter.fill_(30);
        }
        using var classifier = new TorchClassifier(module, 2, ownsModule: true);
        using var x = tensor(new float[,] { { 0.9f, 0.1f }, { 0.5f, 0.5f } });
        using var y = tensor(new long[] { 0, 1 });

        Tensor InputGradient(IDifferentiableClassifier model)
        {
            using var enable = enable_grad();
            using var leaf = x.clone().requires_grad_(true);
            using var logits = model.Logits(leaf);
            using var loss = logits.select(1, 1).sum() - logits.select(1, 0).sum();
            return autograd.grad([loss], [leaf])[0];
        }
        using var exact = InputGradient(classifier);
        Assert.Equal(0f, exact.abs().max().item<float>());
        foreach (var surrogate in new[] { SurrogateGradient.StableExact, SurrogateGradient.Linear, SurrogateGradient.Smoothed })
        {
            using var stabilised = InputGradient(new StabilisedGradientClassifier(classifier, surrogate, smoothingScale: 1000));
            Assert.True(stabilised.abs().min().item<float>() > 0, surrogate.ToString());
        }

        // The stable exact derivative keeps the true direction: for sample 0, only the unit with the smallest z (70)
        // matters (e^-70 dominates e^-84 and e^-90), so the gradient is parallel to that unit's weights (60, 60).
        using var stable = InputGradient(new StabilisedGradientClassifier(classifier));
        var g = stable[0].data<float>().ToArray();
        Assert.Equal(1.0, g[0] / g[1], 4);
    }

    [Fact]
    public void StableExactGradientHasTheTrueDirectionWhereFloat32ResolvesIt()
    {
        var model = fixture.Saturated.Classifier;
        using var x = fixture.Test.Features.narrow(0, 0, 16);
        using var y = fixture.Test.Labels.narrow(0, 0, 16);
        Tensor Gradient(IDifferentiableClassifier m)
        {
            using var enable = enable_grad();
            using var leaf = x.clone().requires_grad_(true);
            using var logits = m.Logits(leaf);
            using var loss = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum);
            return autograd.grad([loss], [leaf])[0].flatten(1);
        }
        using var exact = Gradient(model);
        using var stable = Gradient(new StabilisedGradientClassifier(model));
        using var cosine = nn.functional.cosine_similarity(exact.to_type(ScalarType.Float64), stable.to_type(ScalarType.Float64), 1);
        using var resolved = exact.abs().amax(1).gt(0);
        Assert.True(resolved.all().item<bool>());
        Assert.True(cosine.min().item<double>() > 0.999, $"cosine {cosine.min().item<double>()}");
    }

    [Fact]
    public void StabilisedGradientKeepsReluGradientsExact()
    {
        using var x = fixture.Test.Features.narrow(0, 0, 8);
        using var y = fixture.Test.Labels.narrow(0, 0, 8);
        Tensor Gradient(IDifferentiableClassifier model)
        {
            using var enable = enable_grad();
            using var leaf = x.clone().requires_grad_(true);
            using var logits = model.Logits(leaf);
            using var loss = nn.functional.cross_entropy(logits, y);
            return autograd.grad([loss], [leaf])[0];
        }
        using var exact = Gradient(fixture.Plain);
        using var viaView = Gradient(new StabilisedGradientClassifier(fixture.Plain));
        Assert.True(TensorAssert.Same(exact, viaView));
    }

    [Fact]
    public void DistillationMasksTheGradientAndTheTemperatureViewRestoresIt()
    {
        var report = DefenseEvaluation.Evaluate(fixture.Distilled.Classifier, fixture.Plain, fixture.Test, new DefenseEvaluationOptions
        {
            Attack = new Fgsm(new FgsmOptions { Epsilon = 0.15 }),
            AdaptiveView = c => new TemperatureRestoredClassifier(c, 100),
            AttackSamples = 150,
        });
        Assert.Equal(150, report.AttackedSamples);
        Assert.Equal(150, report.AttackInstances);
        Assert.Equal(report.UndefendedAccuracy - report.DefendedAccuracy, report.AccuracyDrop, 12);
        Assert.True(report.Adaptive.SuccessRate > report.Defended.SuccessRate + 0.2,
            $"FGSM on the distilled net {report.Defended.SuccessRate:P1}, on softmax(Z/T) {report.Adaptive.SuccessRate:P1}");
        Assert.InRange(report.Transfer.SuccessRate, 0, 1);
    }

    [Fact]
    public void AllOtherTargetsRepeatsEachSampleForEveryOtherClass()
    {
        var report = DefenseEvaluation.Evaluate(fixture.AdversariallyTrained.Classifier, fixture.Plain, fixture.Test, new DefenseEvaluationOptions
        {
            Attack = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.05, Steps = 5, Loss = GradientLoss.LogitMargin }),
            TransferAttack = new Fgsm(new FgsmOptions { Epsilon = 0.3 }),
            Goal = EvaluationGoal.AllOtherTargets,
            AttackSamples = 7,
            OnlyCorrectlyClassified = false,
        });
        Assert.Equal(7, report.AttackedSamples);
        Assert.Equal(63, report.AttackInstances);
        Assert.Equal(fixture.Test.Count, report.CleanSamples);
        Assert.True(report.Undefended.SuccessRate > 0);
    }

    [Property(MaxTest = 30)]
    public bool SoftLabelCrossEntropyEqualsCrossEntropyOnOneHotLabels(int seed, byte temperatureByte)
    {
        var temperature = 0.5 + temperatureByte / 10.0;
        using var generator = new Generator((ulong)(uint)seed);
        using var logits = randn(6, 5, generator: generator) * 4;
        using var labels = randint(0, 5, [6], generator: generator);
        using var oneHot = nn.functional.one_hot(labels, 5).to_type(ScalarType.Float32);
        using var soft = SoftLabelStep.CrossEntropy(logits, oneHot, temperature);
        using var scaled = logits / temperature;
        using var hard = nn.functional.cross_entropy(scaled, labels);
        return Math.Abs(soft.item<float>() - hard.item<float>()) <= 1e-5 * Math.Max(1, Math.Abs(hard.item<float>()));
    }

    [Fact]
    public void SoftLabelStepUsesTheTeachersTemperedOutputs()
    {
        var teacher = DefenseFixture.Mlp(Activation.ReLU)(11);
        var student = DefenseFixture.Mlp(Activation.ReLU)(12);
        using var x = Train.Features.narrow(0, 0, 16);
        using var y = Train.Labels.narrow(0, 0, 16);
        using var teacherClassifier = new TorchClassifier(teacher, 10);
        var loss = Steps.Loss(SoftLabelStep.FromTeacher(teacherClassifier, 7), student, x, y);
        using (no_grad())
        {
            using var q = (teacher.forward(x) / 7).softmax(1);
            using var logP = (student.forward(x) / 7).log_softmax(1);
            using var expected = -(q * logP).sum(1).mean();
            Assert.Equal(expected.item<float>(), loss, 5);
        }
        teacher.Dispose();
        student.Dispose();
    }

    [Fact]
    public void SaturationPenaltyMatchesAHandComputation()
    {
        // x → fc1 (2→2) → sigmoid → fc2 (2→2) → ReLU → logits (2→2); penalty = Σ σ(z1)(1−σ(z1)) + Σ relu(z2).
        var module = nn.Sequential(("fc1", nn.Linear(2, 2)), ("act1", nn.Sigmoid()), ("fc2", nn.Linear(2, 2)), ("act2", nn.ReLU()), ("logits", nn.Linear(2, 2)));
        float[,] w1 = { { 1f, -2f }, { 0.5f, 3f } }, w2 = { { 2f, -1f }, { -3f, 1f } };
        float[] b1 = { 0.1f, -0.4f }, b2 = { 0.2f, 0.3f };
        using (no_grad())
        {
            var p = module.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
            p["fc1.weight"].copy_(tensor(w1));
            p["fc1.bias"].copy_(tensor(b1));
            p["fc2.weight"].copy_(tensor(w2));
            p["fc2.bias"].copy_(tensor(b2));
        }
        float[][] inputs = [[0.3f, 0.7f], [1f, 0f], [-0.5f, 0.25f]];
        using var x = tensor(inputs.SelectMany(r => r).ToArray(), [3, 2]);
        using var penalty = SaturationStep.Penalty(module, x);

        for (var n = 0; n < 3; n++)
        {
            double expected = 0;
            var h1 = new double[2];
            for (var i = 0; i < 2; i++)
            {
                var z = b1[i] + w1[i, 0] * inputs[n][0] + w1[i, 1] * inputs[n][1];
                h1[i] = 1 / (1 + Math.Exp(-z));
                expected += h1[i] * (1 - h1[i]);
            }
            for (var i = 0; i < 2; i++)
                expected += Math.Max(0, b2[i] + w2[i, 0] * h1[0] + w2[i, 1] * h1[1]);
            Assert.Equal(expected, penalty[n].item<float>(), 5);
        }
        module.Dispose();
    }

    [Fact]
    public void SaturationStepAddsTheRampedPenaltyToTheCrossEntropy()
    {
        var module = DefenseFixture.Mlp(Activation.Sigmoid)(3);
        using var x = Train.Features.narrow(0, 0, 10);
        using var y = Train.Labels.narrow(0, 0, 10);
        var objective = new SaturationStep(lambda: 0.3, rampEpochs: 2);
        Assert.Equal(new[] { 0.0, 0.15, 0.3, 0.3 }, Enumerable.Range(1, 4).Select(objective.LambdaAt).ToArray());
        using var ce = nn.functional.cross_entropy(module.forward(x), y);
        using var penalty = SaturationStep.Penalty(module, x);
        foreach (var (epoch, lambda) in new[] { (1, 0.0), (2, 0.15), (3, 0.3) })
        {
            var loss = Steps.Loss(objective, module, x, y, epoch);
            Assert.Equal(ce.item<float>() + lambda * penalty.mean().item<float>(), loss, 4);
        }
        Assert.Equal(0.3, new SaturationStep(0.3, 0).LambdaAt(1));
        module.Dispose();
    }

    [Fact]
    public void AdversarialStepMixesCleanAndAdversarialLossAndRestoresTrainingMode()
    {
        var module = DefenseFixture.Mlp(Activation.ReLU)(3);
        using var x = Train.Features.narrow(0, 0, 10);
        using var y = Train.Labels.narrow(0, 0, 10);
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.1 });
        module.train();
        using var clean = nn.functional.cross_entropy(module.forward(x), y);
        var cleanOnly = Steps.Loss(new AdversarialStep(_ => fgsm, 1, 10, InputBounds.Unit), module, x, y);
        Assert.True(module.training);
        Assert.Equal(clean.item<float>(), cleanOnly, 5);

        using var classifier = new TorchClassifier(module, 10);
        using var attacked = fgsm.Run(classifier, x, AttackGoal.Untargeted(y));
        using var adversarial = nn.functional.cross_entropy(module.forward(attacked.Adversarials), y);
        module.train();
        var mixed = Steps.Loss(new AdversarialStep(_ => fgsm, 0.5, 10, InputBounds.Unit), module, x, y);
        Assert.True(module.training);
        Assert.Equal(0.5 * clean.item<float>() + 0.5 * adversarial.item<float>(), mixed, 4);
        module.Dispose();
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        ModelRecipe Recipe(Activation a = Activation.ReLU) => DefenseFixture.Recipe(a);
        foreach (var t in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.Equal("Temperature", Assert.Throws<ArgumentOutOfRangeException>(() =>
                new DefensiveDistillation(new DefensiveDistillationOptions { Temperature = t, Recipe = Recipe() })).ParamName);
        Assert.Equal("Recipe", Assert.Throws<ArgumentException>(() => new DefensiveDistillation(new DefensiveDistillationOptions { Recipe = null! })).ParamName);
        Assert.Equal("Architecture", Assert.Throws<ArgumentException>(() =>
            new DefensiveDistillation(new DefensiveDistillationOptions { Recipe = new ModelRecipe { Architecture = null! } })).ParamName);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DefensiveDistillation(new DefensiveDistillationOptions { Recipe = DefenseFixture.Recipe(Activation.ReLU, new TrainingOptions { Epochs = 0 }) })).ParamName);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DefensiveDistillation(new DefensiveDistillationOptions { Recipe = Recipe(), TeacherTraining = new TrainingOptions { Epochs = -1 } })).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureRestoredClassifier(fixture.Plain, 0)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftLabelStep((x, _) => x, -2)).ParamName);

        foreach (var l in new[] { -0.1, double.NaN })
            Assert.Equal("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() =>
                new Saturation(new SaturationOptions { Lambda = l, Recipe = Recipe() })).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new SaturationStep(-1, 1)).ParamName);
        Assert.Equal("RampEpochs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Saturation(new SaturationOptions { RampEpochs = -1, Recipe = Recipe() })).ParamName);
        var notSequential = new Saturation(new SaturationOptions { Recipe = new ModelRecipe { Architecture = _ => new Wrapper(), Training = DefenseFixture.Options(1) } });
        Assert.Equal("Recipe", Assert.Throws<ArgumentException>(() => notSequential.Fit(Train)).ParamName);
        var noActivation = new Saturation(new SaturationOptions { Recipe = new ModelRecipe { Architecture = s => ModelZoo.SoftmaxRegression(64, 10, s), Training = DefenseFixture.Options(1) } });
        Assert.Equal("Recipe", Assert.Throws<ArgumentException>(() => noActivation.Fit(Train)).ParamName);

        foreach (var a in new[] { -0.01, 1.01, double.NaN })
        {
            var options = AdversarialTrainingOptions.Fgsm(Recipe());
            options.CleanWeight = a;
            Assert.Equal("CleanWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new AdversarialTraining(options)).ParamName);
        }
        Assert.Equal("cleanWeight", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AdversarialStep(_ => new Fgsm(), 2, 10, InputBounds.Unit)).ParamName);
        Assert.Equal("AttackFactory", Assert.Throws<ArgumentException>(() =>
            new AdversarialTraining(new AdversarialTrainingOptions { Recipe = Recipe(), AttackFactory = null! })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialTrainingOptions.Pgd(Recipe(), epsilon: 0)).ParamName);

        using var outside = new LabeledData(full(new long[] { 4, 1, 8, 8 }, 2f), zeros(4, dtype: ScalarType.Int64), 10);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() =>
            new Saturation(new SaturationOptions { Recipe = Recipe(Activation.Sigmoid) }).Fit(outside)).ParamName);
        Assert.Equal("Attack", Assert.Throws<ArgumentException>(() =>
            DefenseEvaluation.Evaluate(fixture.Distilled.Classifier, fixture.Plain, fixture.Test, new DefenseEvaluationOptions { Attack = null! })).ParamName);
        Assert.Equal("smoothingScale", Assert.Throws<ArgumentOutOfRangeException>(() => new StabilisedGradientClassifier(fixture.Saturated.Classifier, SurrogateGradient.Smoothed, smoothingScale: 0)).ParamName);
        Assert.Equal("classifier", Assert.Throws<ArgumentException>(() => new StabilisedGradientClassifier(new TemperatureRestoredClassifier(fixture.Plain, 2))).ParamName);
    }

    [Fact]
    public void FitHonoursCancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var distillation = new DefensiveDistillation(new DefensiveDistillationOptions { Recipe = DefenseFixture.Recipe(Activation.ReLU) });
        Assert.Throws<OperationCanceledException>(() => distillation.Fit(Train, cts.Token));
        var options = AdversarialTrainingOptions.Fgsm(DefenseFixture.Recipe(Activation.ReLU));
        Assert.Throws<OperationCanceledException>(() => new AdversarialTraining(options).Fit(Train, cts.Token));
    }

    /// <summary>A non-sequential module (inputs → logits) for the argument checks.</summary>
    private sealed class Wrapper : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear _linear = nn.Linear(64, 10);

        public Wrapper() : base(nameof(Wrapper)) => RegisterComponents();

        public override Tensor forward(Tensor input) => _linear.forward(input.flatten(1));
    }
}
