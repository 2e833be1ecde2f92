using System.Security.Cryptography;
using System.Text;

namespace SampleBackend.Diagnostics;

/// <summary>
/// A short name for a credential: the first 12 hex characters of its SHA-256. Enough to tell two
/// credentials apart or match one you hold; useless for presenting it anywhere.
/// </summary>
public static class CredentialFingerprint
{
    public static string Of(string credential) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)))[..12];
}
