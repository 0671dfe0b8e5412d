namespace NeuralShield.Attacks.Poisoning;

/// <summary>The papers the poisoning attacks and the training-data defenses cite.</summary>
public static class PoisoningPapers
{
    /// <summary>Gu, Dolan-Gavitt, Garg 2017 (BadNets).</summary>
    public static PaperReference Gu2017 { get; } = new("Gu, Dolan-Gavitt, Garg", "BadNets: Identifying Vulnerabilities in the Machine Learning Model Supply Chain", "arXiv 2017", "1708.06733");

    /// <summary>Turner, Tsipras, Madry 2019 (label-consistent backdoors).</summary>
    public static PaperReference Turner2019 { get; } = new("Turner, Tsipras, Madry", "Label-Consistent Backdoor Attacks", "arXiv 2019", "1912.02771");

    /// <summary>Biggio, Nelson, Laskov 2012 (label noise and poisoning of learners; label flipping).</summary>
    public static PaperReference Biggio2012 { get; } = new("Biggio, Nelson, Laskov", "Poisoning Attacks against Support Vector Machines", "ICML 2012", "1206.6389");

    /// <summary>Paudice, Muñoz-González, Lupu 2018 (kNN label sanitization).</summary>
    public static PaperReference Paudice2018 { get; } = new("Paudice, Muñoz-González, Lupu", "Label Sanitization against Label Flipping Poisoning Attacks", "ECML PKDD 2018 workshops", "1803.00992");

    /// <summary>Chen et al. 2018 (activation clustering).</summary>
    public static PaperReference Chen2018 { get; } = new("Chen, Carvalho, Baracaldo, Ludwig, Edwards, Lee, Molloy, Srivastava", "Detecting Backdoor Attacks on Deep Neural Networks by Activation Clustering", "AAAI SafeAI 2019", "1811.03728");

    /// <summary>Tran, Li, Madry 2018 (spectral signatures).</summary>
    public static PaperReference Tran2018 { get; } = new("Tran, Li, Madry", "Spectral Signatures in Backdoor Attacks", "NeurIPS 2018", "1811.00636");

    /// <summary>Hayase, Kong, Somani, Oh 2021 (SPECTRE: robust covariance and quantum-entropy scores).</summary>
    public static PaperReference Hayase2021 { get; } = new("Hayase, Kong, Somani, Oh", "SPECTRE: Defending Against Backdoor Attacks Using Robust Statistics", "ICML 2021", "2104.11315");

    /// <summary>Steinhardt, Koh, Liang 2017 (data sanitization by outlier removal; loss and centroid defenses).</summary>
    public static PaperReference Steinhardt2017 { get; } = new("Steinhardt, Koh, Liang", "Certified Defenses for Data Poisoning Attacks", "NeurIPS 2017", "1706.03691");
}
