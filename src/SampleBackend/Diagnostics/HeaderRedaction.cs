using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace SampleBackend.Diagnostics;

/// <summary>
/// Which request headers carry a credential, and what the echo shows instead: the scheme (for
/// <c>Authorization</c>-style headers) and the credential's fingerprint, never the credential.
/// </summary>
public static partial class HeaderRedaction
{
    private static readonly FrozenSet<string> CredentialHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "Authorization", "Proxy-Authorization", "X-ZUMO-AUTH", "X-Amz-Security-Token", "Cookie");

    // Names that say a header carries something secret (X-Api-Key, X-Gateway-Assertion, X-Session-Token, ...).
    private static readonly string[] CredentialWords = ["auth", "token", "secret", "key", "cookie", "session", "assertion", "password", "credential", "signature"];

    private static readonly FrozenSet<string> SchemedHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "Authorization", "Proxy-Authorization");

    public static string Echo(string name, string value)
    {
        if (!CarriesCredential(name, value))
        {
            return value;
        }

        var (scheme, credential) = Split(name, value);
        var redacted = $"[redacted sha256:{CredentialFingerprint.Of(credential)}]";
        return scheme is null ? redacted : $"{scheme} {redacted}";
    }

    /// <summary>Splits <c>Bearer abc</c> into its scheme and credential, for the headers that have one.</summary>
    public static (string? Scheme, string Credential) Split(string name, string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return SchemedHeaders.Contains(name) && space > 0 ? (value[..space], value[(space + 1)..]) : (null, value);
    }

    private static bool CarriesCredential(string name, string value) =>
        CredentialHeaders.Contains(name)
        || CredentialWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase))
        || JwtShaped().IsMatch(value);

    // A JWS or JWE anywhere in the value, whatever the header's name.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.", RegexOptions.CultureInvariant)]
    private static partial Regex JwtShaped();
}
