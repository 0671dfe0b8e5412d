namespace NeuralShield.Attacks;

/// <summary>The papers the library's attacks cite, written once.</summary>
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
}
