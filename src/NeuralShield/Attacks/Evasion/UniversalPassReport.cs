namespace NeuralShield.Attacks.Evasion;

/// <summary>One pass of <see cref="UniversalPerturbation.Fit(IDifferentiableClassifier, Tensor, IProgress{UniversalPassReport}?, CancellationToken)"/>.</summary>
/// <param name="Pass">1-based pass number (the epoch for <see cref="UniversalSearch.ProjectedGradient"/>).</param>
/// <param name="FoolingRate">Fooling rate on the fitting set after the pass.</param>
/// <param name="Updates">Data points whose DeepFool step was added to v during the pass (for <see cref="UniversalSearch.ProjectedGradient"/>: gradient steps).</param>
/// <param name="Norm">‖v‖ in the projection's norm after the pass.</param>
/// <param name="Elapsed">Time since fitting started.</param>
public readonly record struct UniversalPassReport(int Pass, double FoolingRate, int Updates, double Norm, TimeSpan Elapsed);
