namespace NeuralShield.Interruptibility;

/// <summary>
/// The two-car game: a front car and a back car on one lane choose, every round, to go forward (0) or brake (1); the
/// operator may interrupt the front car, which then brakes. The common reward of a round: both forward +1, front
/// forward and back braking 0, both braking 0, front braking while the back car goes forward −3 (a rear-end collision).
/// One state: the game repeats.
/// </summary>
internal static class CarsGame
{
    public const int Forward = 0;
    public const int Brake = 1;
    public const int ActionCount = 2;

    /// <summary>Common reward of a round, by (front action, back action).</summary>
    public static readonly double[,] Reward = { { 1, 0 }, { -3, 0 } };
}
