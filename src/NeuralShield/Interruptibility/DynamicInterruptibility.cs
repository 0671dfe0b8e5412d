namespace NeuralShield.Interruptibility;

/// <summary>
/// Two learners in the repeated two-car game (<c>CarsGame</c>), trained with and without the operator interrupting the
/// front car, after El Mhamdi, Guerraoui, Hendrikx &amp; Maurer (NeurIPS 2017): independent learners learn different
/// values under interruptions (the back car learns to fear the front car's forced braking); joint-action learners, and
/// independent learners that prune interrupted rounds, learn the same values (dynamic safe interruptibility).
/// </summary>
public sealed class DynamicInterruptibility
{
    private readonly DynamicInterruptibilityOptions _options;

    /// <summary>Creates the experiment with a validated copy of <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (e.g. an interruption probability outside [0, 1]).</exception>
    public DynamicInterruptibility(DynamicInterruptibilityOptions? options = null) => _options = (options ?? new DynamicInterruptibilityOptions()).Validated();

    /// <summary>A copy of the settings.</summary>
    public DynamicInterruptibilityOptions Options => _options.Copy();

    /// <summary>Trains <paramref name="learner"/> with interruptions and again without, on the same seed.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learner"/> is not defined.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public InterruptionGap Compare(MultiAgentLearner learner, long seed, CancellationToken cancellationToken = default) =>
        new(Train(learner, _options.InterruptionProbability, seed, cancellationToken), Train(learner, 0, seed, cancellationToken));

    /// <summary>
    /// Trains <paramref name="learner"/> with interruption probability <paramref name="interruptionProbability"/>; the
    /// random draws (exploration, interruption, tie breaks) follow <paramref name="seed"/> and do not depend on θ.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learner"/> is not defined, or θ lies outside [0, 1].</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked every 1024 rounds).</exception>
    public DynamicInterruptibilityRun Train(MultiAgentLearner learner, double interruptionProbability, long seed, CancellationToken cancellationToken = default)
    {
        Guard.Defined(learner, nameof(learner));
        Guard.InRange(interruptionProbability, 0, 1, nameof(interruptionProbability));
        var o = _options;
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        const int n = CarsGame.ActionCount;
        var joint = learner == MultiAgentLearner.JointAction;
        // Independent: row 0 the front car's values, row 1 the back car's. Joint: one row of the joint actions (front·n + back).
        var q = joint ? new double[1, n * n] : new double[2, n];
        var visits = new int[q.GetLength(0), q.GetLength(1)];
        var snapshots = new List<IReadOnlyList<double>>();
        var interruptions = 0;
        for (var round = 1; round <= o.Rounds; round++)
        {
            if ((round & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            // The same draws in every run: two exploration draws per agent, one tie-break draw, one interruption draw.
            var exploreFront = random.NextDouble() < o.Exploration;
            var exploreBack = random.NextDouble() < o.Exploration;
            var randomFront = random.Next(n);
            var randomBack = random.Next(n);
            var tie = random.Next();
            var interrupted = random.NextDouble() < interruptionProbability;
            var (greedyFront, greedyBack) = joint ? JointChoice(q, tie) : (GreedyIndependent(q, 0, tie), GreedyIndependent(q, 1, tie));
            var front = interrupted ? CarsGame.Brake : exploreFront ? randomFront : greedyFront;
            var back = exploreBack ? randomBack : greedyBack;
            if (interrupted) interruptions++;
            var reward = CarsGame.Reward[front, back];
            if (joint)
                Update(q, visits, 0, front * n + back, reward, o);
            else if (!(interrupted && learner == MultiAgentLearner.IndependentPruned))
            {
                Update(q, visits, 0, front, reward, o);
                Update(q, visits, 1, back, reward, o);
            }
            if (round * (long)o.Snapshots % o.Rounds == 0 || round == o.Rounds) snapshots.Add(Flatten(q));
        }
        var values = Flatten(q);
        var backForward = joint
            ? JointChoice(q, 0).Back == CarsGame.Forward
            : q[1, CarsGame.Forward] > q[1, CarsGame.Brake];
        return new DynamicInterruptibilityRun(learner, interruptionProbability, seed, values, snapshots, backForward, interruptions);
    }

    /// <summary>
    /// One Q-learning step on a single-state game: Q[row, a] += α·(r + γ·max Q[row, ·] − Q[row, a]), α = n<sup>−ω</sup> for
    /// the n-th visit of the entry.
    /// </summary>
    internal static void Update(double[,] q, int[,] visits, int row, int action, double reward, DynamicInterruptibilityOptions options)
    {
        var alpha = Math.Pow(++visits[row, action], -options.LearningRateExponent);
        var max = double.NegativeInfinity;
        for (var a = 0; a < q.GetLength(1); a++) max = Math.Max(max, q[row, a]);
        q[row, action] += alpha * (reward + options.Discount * max - q[row, action]);
    }

    private static int GreedyIndependent(double[,] q, int row, int tie)
    {
        if (q[row, 0] == q[row, 1]) return (tie >> row) & 1;
        return q[row, 0] > q[row, 1] ? 0 : 1;
    }

    /// <summary>Both agents' components of the best joint action (ties broken by the shared draw <paramref name="tie"/>).</summary>
    private static (int Front, int Back) JointChoice(double[,] q, int tie)
    {
        const int n = CarsGame.ActionCount;
        var best = double.NegativeInfinity;
        int count = 0, chosen = 0;
        for (var j = 0; j < n * n; j++)
        {
            if (q[0, j] > best) { best = q[0, j]; count = 0; }
            if (q[0, j] == best && (tie >> (2 * j)) % ++count == 0) chosen = j;
        }
        return (chosen / n, chosen % n);
    }

    private static double[] Flatten(double[,] q) => q.Cast<double>().ToArray();
}
