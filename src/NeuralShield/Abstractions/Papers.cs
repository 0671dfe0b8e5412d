namespace NeuralShield;

/// <summary>The papers the library's attacks and defenses cite, written once: the one registry.</summary>
public static class Papers
{
    /// <summary>Shokri, Stronati, Song, Shmatikov 2017 (shadow-model membership inference; output restrictions as its mitigation).</summary>
    public static PaperReference Shokri2017 { get; } = new("Shokri, Stronati, Song, Shmatikov", "Membership Inference Attacks Against Machine Learning Models", "IEEE S&P 2017", "1610.05820");

    /// <summary>Goodfellow, Shlens, Szegedy 2015 (FGSM, adversarial training).</summary>
    public static PaperReference Goodfellow2015 { get; } = new("Goodfellow, Shlens, Szegedy", "Explaining and Harnessing Adversarial Examples", "ICLR 2015", "1412.6572");

    /// <summary>Madry et al. 2018 (PGD, PGD adversarial training).</summary>
    public static PaperReference Madry2018 { get; } = new("Madry, Makelov, Schmidt, Tsipras, Vladu", "Towards Deep Learning Models Resistant to Adversarial Attacks", "ICLR 2018", "1706.06083");

    /// <summary>Papernot et al. 2016 (JSMA).</summary>
    public static PaperReference Papernot2016Jsma { get; } = new("Papernot, McDaniel, Jha, Fredrikson, Celik, Swami", "The Limitations of Deep Learning in Adversarial Settings", "IEEE EuroS&P 2016", "1511.07528");

    /// <summary>Moosavi-Dezfooli et al. 2016 (DeepFool).</summary>
    public static PaperReference MoosaviDezfooli2016 { get; } = new("Moosavi-Dezfooli, Fawzi, Frossard", "DeepFool: a simple and accurate method to fool deep neural networks", "CVPR 2016", "1511.04599");

    /// <summary>Moosavi-Dezfooli et al. 2017 (universal adversarial perturbations).</summary>
    public static PaperReference MoosaviDezfooli2017 { get; } = new("Moosavi-Dezfooli, Fawzi, Fawzi, Frossard", "Universal adversarial perturbations", "CVPR 2017", "1610.08401");

    /// <summary>Nguyen, Yosinski, Clune 2015 (fooling images).</summary>
    public static PaperReference Nguyen2015 { get; } = new("Nguyen, Yosinski, Clune", "Deep Neural Networks are Easily Fooled: High Confidence Predictions for Unrecognizable Images", "CVPR 2015", "1412.1897");

    /// <summary>Papernot et al. 2016 (defensive distillation).</summary>
    public static PaperReference Papernot2016Distillation { get; } = new("Papernot, McDaniel, Wu, Jha, Swami", "Distillation as a Defense to Adversarial Perturbations against Deep Neural Networks", "IEEE S&P 2016", "1511.04508");

    /// <summary>Nayebi and Ganguli 2017 (saturation).</summary>
    public static PaperReference Nayebi2017 { get; } = new("Nayebi, Ganguli", "Biologically inspired protection of deep networks from adversarial attacks", "arXiv 2017", "1703.09202");

    /// <summary>Croce and Hein 2020 (APGD, the DLR loss, AutoAttack).</summary>
    public static PaperReference Croce2020 { get; } = new("Croce, Hein", "Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks", "ICML 2020", "2003.01690");

    /// <summary>Croce and Hein 2020 (FAB, the fast adaptive boundary attack).</summary>
    public static PaperReference Croce2020Fab { get; } = new("Croce, Hein", "Minimally distorted adversarial examples with a fast adaptive boundary attack", "ICML 2020", "1907.02044");

    /// <summary>Andriushchenko, Croce, Flammarion, Hein 2020 (Square attack).</summary>
    public static PaperReference Andriushchenko2020 { get; } = new("Andriushchenko, Croce, Flammarion, Hein", "Square Attack: a query-efficient black-box adversarial attack via random search", "ECCV 2020", "1912.00049");

    /// <summary>Carlini and Wagner 2017 (the C&amp;W L2 attack).</summary>
    public static PaperReference Carlini2017 { get; } = new("Carlini, Wagner", "Towards Evaluating the Robustness of Neural Networks", "IEEE S&P 2017", "1608.04644");

    /// <summary>Chen, Jordan and Wainwright 2020 (HopSkipJump).</summary>
    public static PaperReference Chen2020 { get; } = new("Chen, Jordan, Wainwright", "HopSkipJumpAttack: A Query-Efficient Decision-Based Attack", "IEEE S&P 2020", "1904.02144");

    /// <summary>Brendel, Rauber and Bethge 2018 (the Boundary attack).</summary>
    public static PaperReference Brendel2018 { get; } = new("Brendel, Rauber, Bethge", "Decision-Based Adversarial Attacks: Reliable Attacks Against Black-Box Machine Learning Models", "ICLR 2018", "1712.04248");

    /// <summary>Carlini et al. 2022 (LiRA, the likelihood-ratio attack).</summary>
    public static PaperReference Carlini2022 { get; } = new("Carlini, Chien, Nasr, Song, Terzis, Tramèr", "Membership Inference Attacks From First Principles", "IEEE S&P 2022", "2112.03570");

    /// <summary>Yeom et al. 2018 (the loss-threshold and gap attacks; membership advantage).</summary>
    public static PaperReference Yeom2018 { get; } = new("Yeom, Giacomelli, Fredrikson, Jha", "Privacy Risk in Machine Learning: Analyzing the Connection to Overfitting", "IEEE CSF 2018", "1709.01604");

    /// <summary>Song and Mittal 2021 (confidence, entropy and modified-entropy threshold attacks).</summary>
    public static PaperReference SongMittal2021 { get; } = new("Song, Mittal", "Systematic Evaluation of Privacy Risks of Machine Learning Models", "USENIX Security 2021", "2003.10595");

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

    /// <summary>Papernot et al. 2017 (the Jacobian-augmented black-box substitute).</summary>
    public static PaperReference Papernot2017 { get; } = new("Papernot, McDaniel, Goodfellow, Jha, Celik, Swami",
        "Practical Black-Box Attacks against Machine Learning", "AsiaCCS 2017", "1602.02697");

    /// <summary>Chen, Carlini, Wagner 2020 (stateful detection of query-based black-box attacks).</summary>
    public static PaperReference Chen2020Stateful { get; } = new("Chen, Carlini, Wagner", "Stateful Detection of Black-Box Adversarial Attacks", "ACM AsiaCCS SPAI 2020", "1907.05587");

    /// <summary>Abadi et al. 2016 (DP-SGD and the moments accountant).</summary>
    public static PaperReference Abadi2016 { get; } = new("Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar, Zhang", "Deep Learning with Differential Privacy", "ACM CCS 2016", "1607.00133");

    /// <summary>Ateniese et al. 2013 (property inference from a classifier's parameters).</summary>
    public static PaperReference Ateniese2013 { get; } = new("Ateniese, Mancini, Spognardi, Villani, Vitali, Felici", "Hacking Smart Machines with Smarter Ones: How to Extract Meaningful Data from Machine Learning Classifiers", "IJSN 2015", "1306.4447");

    /// <summary>Ganju et al. 2018 (property inference with permutation-invariant representations).</summary>
    public static PaperReference Ganju2018 { get; } = new("Ganju, Wang, Yang, Gunter, Borisov", "Property Inference Attacks on Fully Connected Neural Networks using Permutation Invariant Representations", "ACM CCS 2018");
}
