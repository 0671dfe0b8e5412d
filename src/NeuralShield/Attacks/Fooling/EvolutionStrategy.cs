namespace NeuralShield.Attacks.Fooling;

/// <summary>How <see cref="EvolutionaryFooling"/> selects.</summary>
public enum EvolutionStrategy
{
    /// <summary>
    /// A (μ + λ) evolution strategy per target: the μ = <see cref="EvolutionaryFoolingOptions.ParentCount"/> best
    /// individuals found so far are the parents; each generation, λ = <see cref="EvolutionaryFoolingOptions.PopulationSize"/>
    /// children are mutated copies of uniformly drawn parents, and the μ best of parents and children (by target
    /// confidence) survive. A target stops evolving once its best individual reaches the threshold. Evaluations per
    /// generation: K·λ for K unfinished targets, in one call.
    /// </summary>
    ElitistPopulation,

    /// <summary>
    /// MAP-Elites over the requested classes (Mouret and Clune 2015, the algorithm Nguyen et al. used): an archive
    /// holds one elite per target; each generation, P children are made from elites drawn uniformly from the
    /// archive and every child competes for every target's cell. Evaluations per generation: P.
    /// </summary>
    MapElites,
}
