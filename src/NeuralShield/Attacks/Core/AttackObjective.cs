namespace NeuralShield.Attacks.Core;

/// <summary>
/// What a gradient attack ascends: maps logits [N, C] (with autograd) to a scalar, the sum over samples of
/// each sample's objective, so that its gradient with respect to the inputs is per sample.
/// </summary>
public delegate Tensor AttackObjective(Tensor logits);
