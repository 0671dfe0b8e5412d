using System.Security.Cryptography;

namespace NeuralShield.Defenses.Data;

/// <summary>Thrown when a manifest's HMAC does not verify under the given key: the key is wrong or the manifest was altered.</summary>
public sealed class ManifestAuthenticationException : CryptographicException
{
    /// <summary>Creates the exception.</summary>
    public ManifestAuthenticationException(string message) : base(message)
    {
    }
}
