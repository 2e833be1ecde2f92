namespace WamsGateway.Configuration;

/// <summary>One downstream API: <c>Gateway:Apis:&lt;name&gt;</c>. Fields beyond the policy belong to one exchange kind each.</summary>
public sealed class ApiOptions
{
    public const string DefaultInjectHeader = "Authorization";

    public ExchangeKind? Exchange { get; set; }

    /// <summary><c>azp</c> / <c>client_id</c> values allowed to call this API; empty means any authenticated client.</summary>
    public List<string>? AllowedClients { get; set; }

    /// <summary>Every one must be in the token's <c>scope</c> or <c>permissions</c>.</summary>
    public List<string>? RequiredScopes { get; set; }

    /// <summary>The header that carries the delegated credential; <c>Authorization</c> gets a <c>Bearer</c> prefix.</summary>
    public string? Inject { get; set; }

    // Auth0Delegation
    public string? Endpoint { get; set; }

    public string? ClientId { get; set; }

    public string? Target { get; set; }

    public string? ApiType { get; set; }

    public string? Scope { get; set; }

    // TokenExchange (RFC 8693)
    public string? TokenEndpoint { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>How the gateway authenticates to the token endpoint: <c>Basic</c> (default) or <c>Body</c>.</summary>
    public ClientAuthentication? ClientAuthentication { get; set; }

    public string? Audience { get; set; }

    public string? Resource { get; set; }

    public string? SubjectTokenType { get; set; }

    public string? RequestedTokenType { get; set; }

    // AwsSts
    public string? Source { get; set; }

    public string? RoleArn { get; set; }

    public string? PrincipalArn { get; set; }

    public string? StsEndpoint { get; set; }

    public string? Region { get; set; }

    public string? Service { get; set; }

    public int? DurationSeconds { get; set; }

    /// <summary>Bodies up to this size are buffered and their hash signed; larger: UNSIGNED-PAYLOAD for S3, 413 otherwise.</summary>
    public long? MaxSignedBodyBytes { get; set; }

    // WamsMint
    public string? MasterKey { get; set; }

    public TimeSpan? Lifetime { get; set; }

    public string InjectHeader => string.IsNullOrWhiteSpace(Inject) ? DefaultInjectHeader : Inject;

    public const long DefaultMaxSignedBodyBytes = 4 * 1024 * 1024;

    public bool IsS3 => Forwarding.SigV4.AwsServices.IsS3(Service);
}

/// <summary>RFC 6749 section 2.3.1: client credentials in a Basic header, or in the form body.</summary>
public enum ClientAuthentication
{
    Basic,
    Body,
}
