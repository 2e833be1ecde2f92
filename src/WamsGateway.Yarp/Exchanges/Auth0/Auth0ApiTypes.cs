using System.Collections.Frozen;

namespace WamsGateway.Exchanges.Auth0;

/// <summary>Auth0 delegation <c>api_type</c> values (docs/protocols.md, "Auth0 legacy delegation").</summary>
internal static class Auth0ApiTypes
{
    public const string Wams = "wams";

    /// <summary>Answered with <c>{id_token, token_type, expires_in}</c>.</summary>
    public static readonly FrozenSet<string> IdTokenShaped = new HashSet<string>(StringComparer.Ordinal)
    {
        "app", Wams, "firebase", "salesforce_api", "salesforce_sandbox_api", "sap_api", "layer",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Answered with STS credentials or SAS strings, which need their own injection.</summary>
    public static readonly FrozenSet<string> NotYetSupported = new HashSet<string>(StringComparer.Ordinal) { "aws", "azure_blob", "azure_sb" }.ToFrozenSet(StringComparer.Ordinal);
}
