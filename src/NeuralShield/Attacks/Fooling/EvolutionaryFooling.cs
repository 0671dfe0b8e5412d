namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// Fooling inputs by evolution with a direct encoding — Nguyen, Yosinski, Clune, "Deep Neural Networks are Easily
/// Fooled: High Confidence Predictions for Unrecognizable Images", CVPR 2015 (arXiv 1412.1897), Sections 2.3 and 3.1.
/// Threat model: black box — only the class probabilities (<see cref="IClassifier.PredictProbabilities"/>) are used;
/// no gradients, no data.
/// Each feature is a gene, initialised uniformly in the bounds; a child copies a parent and mutates each gene with
/// probability 0.1 (halved every 1000 generations) by polynomial mutation with distribution index η = 15; fitness is
/// the target class's probability (ranked through the log-odds log p_t − log Σ_{j≠t} p_j, which orders the same way
/// but still separates candidates once p_t rounds to 1 in float32). Paper: MAP-Elites over the classes; on MNIST,
/// ≥ 99.99% confidence for every digit within 200 generations (often under 50). Default here: a (1 + 200) elitist
/// evolution strategy per target (<see cref="EvolutionStrategy.ElitistPopulation"/>); <see cref="EvolutionStrategy.MapElites"/>
/// is the paper's scheme. Every generation is evaluated in one <see cref="IClassifier.PredictProbabilities"/> call.
/// </summary>
public sealed class EvolutionaryFooling : FoolingAttackBase<IClassifier>
{
    private readonly EvolutionaryFoolingOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public EvolutionaryFooling(EvolutionaryFoolingOptions? options = null) => _options = (options ?? new EvolutionaryFoolingOptions()).Validated();

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public EvolutionaryFoolingOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Evolutionary fooling", AttackFamily.Fooling, ModelAccess.Probabilities, Papers.Nguyen2015);

    /// <inheritdoc />
    public override double ConfidenceThreshold => _options.ConfidenceThreshold;

    /// <inheritdoc />
    protected override (Tensor Images, int Iterations) Search(IClassifier model, Tensor targets, long[] batchShape, SearchContext context)
    {
        using var generator = new Generator((ulong)_options.Seed);
        return _options.Strategy == EvolutionStrategy.MapElites
            ? MapElites(model, targets, batchShape, generator, context)
            : Elitist(model, targets, batchShape, generator, context);
    }

    private (Tensor Images, int Iterations) Elitist(IClassifier model, Tensor targets, long[] batchShape, Generator generator, SearchContext context)
    {
        var o = _options;
        var k = batchShape[0];
        var lambda = (long)o.PopulationSize;
        var mu = (long)Math.Min(o.ParentCount, o.PopulationSize);
        var features = batchShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var sampleShape = batchShape.Skip(1).ToArray();
        var threshold = Fitness(o.ConfidenceThreshold);
        var device = model.Device;

        Tensor parents, parentFitness;
        using (var initial = Uniform([k, lambda, features], model.Bounds, generator, device))
        using (var initialFitness = Evaluate(model, initial, targets, sampleShape))
        {
            var (best, order) = initialFitness.topk((int)mu, dim: 1, largest: true, sorted: true);
            parents = initial.gather(1, order.unsqueeze(2).expand(k, mu, features));
            parentFitness = best;
            order.Dispose();
        }
        var active = parentFitness.amax(1).lt(threshold);
        var generation = 0;
        while (generation < o.Generations)
        {
            context.Iteration(generation, o.Generations);
            if (!active.any().item<bool>()) break;
            generation++;
            using var scope = NewDisposeScope();
            var rows = active.nonzero().squeeze(1);
            var a = rows.shape[0];
            var rowParents = parents.index_select(0, rows);
            var rowFitness = parentFitness.index_select(0, rows);
            var draws = randint(mu, [a, lambda], generator: generator).to(device);
            var children = Mutate(rowParents.gather(1, draws.unsqueeze(2).expand(a, lambda, features)), MutationRate(generation), model.Bounds, generator);
            var childFitness = Evaluate(model, children, targets.index_select(0, rows), sampleShape);
            var pool = cat([rowParents, children], 1);
            var poolFitness = cat([rowFitness, childFitness], 1);
            var (best, order) = poolFitness.topk((int)mu, dim: 1, largest: true, sorted: true);
            parents.index_copy_(0, rows, pool.gather(1, order.unsqueeze(2).expand(a, mu, features)));
            parentFitness.index_copy_(0, rows, best);
            active.index_copy_(0, rows, best.amax(1).lt(threshold));
        }
        var images = parents.narrow(1, 0, 1).squeeze(1);
        return (images.reshape(batchShape), generation);
    }

    private (Tensor Images, int Iterations) MapElites(IClassifier model, Tensor targets, long[] batchShape, Generator generator, SearchContext context)
    {
        var o = _options;
        var k = batchShape[0];
        var p = (long)o.PopulationSize;
        var features = batchShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var sampleShape = batchShape.Skip(1).ToArray();
        var threshold = Fitness(o.ConfidenceThreshold);
        var device = model.Device;

        var initial = Uniform([p, features], model.Bounds, generator, device);
        var (eliteFitness, eliteIndex) = CellFitness(model, initial, targets, sampleShape).max(0);
        var elites = initial.index_select(0, eliteIndex);
        var generation = 0;
        while (generation < o.Generations)
        {
            context.Iteration(generation, o.Generations);
            if (!eliteFitness.lt(threshold).any().item<bool>()) break;
            generation++;
            using var scope = NewDisposeScope();
            var cells = randint(k, [p], generator: generator).to(device);
            var children = Mutate(elites.index_select(0, cells), MutationRate(generation), model.Bounds, generator);
            var (childBest, childIndex) = CellFitness(model, children, targets, sampleShape).max(0);
            var better = childBest.gt(eliteFitness);
            elites.copy_(where(better.unsqueeze(1), children.index_select(0, childIndex), elites));
            eliteFitness.copy_(where(better, childBest, eliteFitness));
        }
        return (elites.view(batchShape), generation);
    }

    private double MutationRate(int generation) =>
        _options.MutationRateHalvingGenerations is { } h ? _options.MutationRate * Math.Pow(0.5, (generation - 1) / h) : _options.MutationRate;

    /// <summary>Fitness [K, P] of a population [K, P, F] for each row's target.</summary>
    private static Tensor Evaluate(IClassifier model, Tensor population, Tensor targets, long[] sampleShape)
    {
        var k = population.shape[0];
        var p = population.shape[1];
        var batch = population.reshape([k * p, .. sampleShape]);
        using var probabilities = model.PredictProbabilities(batch);
        var rowTargets = targets.repeat_interleave(p);
        return LogOdds(probabilities, rowTargets).view(k, p);
    }

    /// <summary>Fitness [P, K] of individuals [P, F] for every target cell.</summary>
    private static Tensor CellFitness(IClassifier model, Tensor individuals, Tensor targets, long[] sampleShape)
    {
        var p = individuals.shape[0];
        var k = targets.shape[0];
        using var probabilities = model.PredictProbabilities(individuals.reshape([p, .. sampleShape]));
        var rows = arange(p, device: individuals.device).repeat_interleave(k);
        var perCell = probabilities.index_select(0, rows);
        return LogOdds(perCell, targets.repeat(p)).view(p, k);
    }

    /// <summary>log p_t − log Σ_{j≠t} p_j per row of <paramref name="probabilities"/>, in float64.</summary>
    internal static Tensor LogOdds(Tensor probabilities, Tensor rowTargets)
    {
        var probs = probabilities.to_type(ScalarType.Float64);
        var index = rowTargets.unsqueeze(1);
        var own = probs.gather(1, index).squeeze(1);
        var rest = probs.scatter(1, index, zeros(index.shape, ScalarType.Float64, probs.device)).sum(1);
        return own.clamp_min(1e-300).log() - rest.clamp_min(1e-300).log();
    }

    /// <summary>The fitness value of a target probability.</summary>
    private static double Fitness(double confidence) =>
        confidence >= 1 ? Math.Log(1e300) : Math.Log(confidence) - Math.Log(1 - confidence);

    private static Tensor Uniform(long[] shape, InputBounds bounds, Generator generator, Device device)
    {
        using var unit = rand(shape, generator: generator);
        return (unit * bounds.Range + bounds.Lower).to(device);
    }

    private Tensor Mutate(Tensor parents, double rate, InputBounds bounds, Generator generator)
    {
        using var u = rand(parents.shape, generator: generator);
        using var pick = rand(parents.shape, generator: generator);
        using var mask = pick.lt(rate);
        return PolynomialMutation.Apply(parents, u.to(parents.device), mask.to(parents.device), bounds, _options.DistributionIndex);
    }
}

/// <summary>
/// Polynomial mutation — Deb and Agrawal, "Simulated Binary Crossover for Continuous Search Space", Complex
/// Systems 9, 1995; in the bounded form of Deb and Goyal (1996) used by NSGA-II and Sferes2.
/// </summary>
internal static class PolynomialMutation
{
    /// <summary>
    /// Mutates the genes of <paramref name="genes"/> where <paramref name="mask"/> holds, with uniform draws
    /// <paramref name="u"/> in [0, 1), distribution index <paramref name="eta"/>, inside <paramref name="bounds"/>:
    /// δ₁ = (x − l)/(h − l), δ₂ = (h − x)/(h − l); for u &lt; ½, δ = (2u + (1 − 2u)(1 − δ₁)^(η+1))^(1/(η+1)) − 1,
    /// else δ = 1 − (2(1 − u) + 2(u − ½)(1 − δ₂)^(η+1))^(1/(η+1)); x' = clip(x + δ(h − l)).
    /// </summary>
    public static Tensor Apply(Tensor genes, Tensor u, Tensor mask, InputBounds bounds, double eta)
    {
        var range = (double)bounds.Range;
        var power = eta + 1;
        var delta1 = ((genes - bounds.Lower) / range).clamp(0, 1);
        var delta2 = ((bounds.Upper - genes) / range).clamp(0, 1);
        var low = (2 * u + (1 - 2 * u) * (1 - delta1).pow(power)).pow(1 / power) - 1;
        var high = 1 - (2 * (1 - u) + 2 * (u - 0.5) * (1 - delta2).pow(power)).pow(1 / power);
        var delta = where(u.lt(0.5), low, high);
        var mutated = (genes + delta * range).clamp(bounds.Lower, bounds.Upper);
        return where(mask, mutated, genes);
    }
}
