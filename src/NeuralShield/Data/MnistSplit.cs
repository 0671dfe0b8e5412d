namespace NeuralShield.Data;

/// <summary>The part of MNIST (or Fashion-MNIST) to load.</summary>
public enum MnistSplit
{
    /// <summary>The training set (<c>train-*</c> files, or <c>train-first10k-*</c> where only those exist).</summary>
    Train,
    /// <summary>The 10,000-image test set (<c>t10k-*</c> files).</summary>
    Test,
}
