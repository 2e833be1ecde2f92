namespace SampleBackend;

/// <summary>The <c>SampleBackend</c> section (docs/local-development.md, "The sample backend").</summary>
public sealed class SampleBackendOptions
{
    public const string SectionName = "SampleBackend";

    /// <summary>The WAMS master key; ZUMO tokens are HS256-signed with SHA-256(MasterKey + "JWTSig").</summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// The root secret the local authority derives AWS-style secret keys from and signs session
    /// tokens with; needed by the <c>/aws/...</c> endpoints to check SigV4 signatures.
    /// </summary>
    public string? AwsRootSecret { get; set; }

    /// <summary>
    /// The gateway's <c>Gateway:Assertion:Issuer</c>: when set, every request must carry the gateway's signed
    /// assertion, checked against <c>{GatewayAuthority}.well-known/openid-configuration</c>.
    /// </summary>
    public string? GatewayAuthority { get; set; }

    /// <summary>This backend's identifier, the assertion's <c>aud</c> (the API's <c>Assertion:Audience</c>).</summary>
    public string? GatewayAudience { get; set; }

    /// <summary>The header the assertion arrives in (the API's <c>Assertion:Header</c>).</summary>
    public string GatewayAssertionHeader { get; set; } = "X-Gateway-Assertion";

    /// <summary>The SQLite file; created with its folder when missing.</summary>
    public string Database { get; set; } = ".local/samplebackend/todo.db";
}
