namespace NeuralShield.Attacks.Inference;

/// <summary>How the attacker's data pool is shared among shadow models.</summary>
public enum ShadowSampling
{
    /// <summary>
    /// The pool is shuffled and cut into one share per shadow; each shadow trains on <see cref="ShadowTrainingOptions.TrainSize"/>
    /// records of its share and holds out as many others (Shokri et al.'s disjoint setting). Default train size: half
    /// the share.
    /// </summary>
    Disjoint,

    /// <summary>Each shadow draws 2 × train-size distinct records from the whole pool, trains on half and holds out the other half (shares overlap).</summary>
    Overlapping,

    /// <summary>
    /// LiRA's design (Carlini et al. 2022): every record is in the training set of exactly half of the shadows (chosen at
    /// random per record, then balanced so that every shadow trains on as many records as the others) and held out by the
    /// others: each shadow trains on half the pool. Where the pool's size does not allow equal halves, a few records
    /// (fewer than half the number of shadows) are held out by one more shadow.
    /// </summary>
    RandomHalves,
}
