namespace NeuralShield.Reproductions;

/// <summary>The data set a reproduction reads from its data folder.</summary>
internal enum ReproductionData
{
    /// <summary>MNIST in IDX format (the default).</summary>
    Mnist,

    /// <summary>UCI Adult (adult.data, adult.test).</summary>
    Adult,

    /// <summary>Either; the reproduction recognises which the folder holds.</summary>
    MnistOrAdult,

    /// <summary>None: the reproduction generates what it needs (the data folder is ignored).</summary>
    None,
}
