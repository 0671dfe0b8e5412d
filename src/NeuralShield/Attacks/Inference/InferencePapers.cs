namespace NeuralShield.Attacks.Inference;

/// <summary>The papers behind the library's inference attacks and output defenses.</summary>
public static class InferencePapers
{
    /// <summary>Shokri et al. 2017 (shadow-model membership inference; output restrictions as mitigations).</summary>
    public static PaperReference Shokri2017 => Papers.Shokri2017;

    /// <summary>Carlini et al. 2022 (LiRA, the likelihood-ratio attack).</summary>
    public static PaperReference Carlini2022 { get; } = new("Carlini, Chien, Nasr, Song, Terzis, Tramèr", "Membership Inference Attacks From First Principles", "IEEE S&P 2022", "2112.03570");

    /// <summary>Yeom et al. 2018 (the loss-threshold and gap attacks; membership advantage).</summary>
    public static PaperReference Yeom2018 { get; } = new("Yeom, Giacomelli, Fredrikson, Jha", "Privacy Risk in Machine Learning: Analyzing the Connection to Overfitting", "IEEE CSF 2018", "1709.01604");

    /// <summary>Song and Mittal 2021 (confidence, entropy and modified-entropy threshold attacks).</summary>
    public static PaperReference SongMittal2021 { get; } = new("Song, Mittal", "Systematic Evaluation of Privacy Risks of Machine Learning Models", "USENIX Security 2021", "2003.10595");
}
