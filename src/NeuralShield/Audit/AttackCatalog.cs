using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Metrics;
using NeuralShield.Models;

namespace NeuralShield.Audit;

/// <summary>
/// The attacks an audit runs by default: every attack of the library that applies to a classifier, each in a setting
/// sized for an audit (inputs in [0, 1]), with the family's entry kind deciding how it runs. The audit and the CLI
/// enumerate this list; a new attack joins the audit by being added here.
/// </summary>
public static class AttackCatalog
{
    /// <summary>The standard entries, with every stochastic attack seeded from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<AuditEntry> Standard(long seed)
    {
        var fgsmThenPgd = new Cascade<IDifferentiableClassifier>(
            new Fgsm(new FgsmOptions { Epsilon = 0.1 }), new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed }));
        return
        [
            AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.1 }), "eps=0.1"),
            AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.2 }), "eps=0.2"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Seed = seed }), "eps=0.1 step=0.01 steps=20"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.02, Steps = 20, Seed = seed }), "eps=0.2 step=0.02 steps=20"),
            AuditEntry.Evasion(new Pgd(new PgdOptions { Epsilon = 1.0, StepSize = 0.1, Steps = 20, Norm = Norm.L2, Seed = seed }), "eps=1.0 step=0.1 steps=20"),
            AuditEntry.Evasion(fgsmThenPgd, "eps=0.1"),
            AuditEntry.Evasion(new DeepFool(), "overshoot=0.02"),
            AuditEntry.Evasion(new DeepFool(new DeepFoolOptions { Norm = Norm.LInf }), "overshoot=0.02"),
            AuditEntry.Evasion(new Jsma(), "gamma=0.145"),
            AuditEntry.Universal(new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.2, MaxPasses = 3, BatchSize = 32, Seed = seed }), 500, "xi=0.2 passes=3"),
            AuditEntry.Fooling(new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 200, Seed = seed }), "sign steps 0.01, 200 steps"),
            AuditEntry.Fooling(new EvolutionaryFooling(new EvolutionaryFoolingOptions { Generations = 100, Seed = seed }), "(1+200) elitist, 100 generations"),
            AuditEntry.Extraction(new JacobianSubstitute(new JacobianSubstituteOptions { Seed = seed }), new QueryBudget(6400), 150,
                new Fgsm(new FgsmOptions { Epsilon = 0.3 }), "150 seeds, rho=6, lambda=0.1, MLP 200-200 substitute, budget 6400"),
        ];
    }
}
