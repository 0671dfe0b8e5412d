namespace NeuralShield.Reproductions;

/// <summary>
/// A reproduction's setting does not suit it: a data folder without the files it reads, a variant value it does not
/// know, a black box of the wrong shape. A mistake of its caller, not of the library (the CLI prints it as one line).
/// </summary>
internal sealed class ReproductionSettingException : ArgumentException
{
    /// <summary>A setting error with <paramref name="message"/>.</summary>
    public ReproductionSettingException(string message)
        : base(message)
    {
    }

    /// <summary>A setting error with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public ReproductionSettingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
