using WamsGateway.Exchanges.AwsSts.SigV4;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary><c>Exchange: AwsSts</c> settings (docs/configuration.md).</summary>
public sealed class AwsStsOptions
{
    /// <summary>The largest request body signed by default (4 MiB).</summary>
    public const long DefaultMaxSignedBodyBytes = 4 * 1024 * 1024;

    /// <summary><c>WebIdentity</c> (default) or <c>Auth0Delegation</c>.</summary>
    public string? Source { get; set; }

    /// <summary>The IAM role assumed.</summary>
    public string? RoleArn { get; set; }

    /// <summary>Source Auth0Delegation: the SAML provider ARN Auth0 passes as principal.</summary>
    public string? PrincipalArn { get; set; }

    /// <summary>Source WebIdentity: STS's address; default https://sts.amazonaws.com.</summary>
    public string? StsEndpoint { get; set; }

    /// <summary>The region requests are signed for.</summary>
    public string? Region { get; set; }

    /// <summary>The service requests are signed for (s3, execute-api, ...).</summary>
    public string? Service { get; set; }

    /// <summary>The credentials' lifetime in seconds, 900 to 43200; default 3600.</summary>
    public int? DurationSeconds { get; set; }

    /// <summary>Bodies up to this size are buffered and their hash signed; larger: UNSIGNED-PAYLOAD for S3, 413 otherwise.</summary>
    public long? MaxSignedBodyBytes { get; set; }

    /// <summary>Source Auth0Delegation: the application with the AWS add-on.</summary>
    public string? Target { get; set; }

    /// <summary>Source Auth0Delegation: <c>/delegation</c>'s address; default <c>{Authority}delegation</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Source Auth0Delegation: the client id sent; default the caller's <c>azp</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>Source Auth0Delegation: the scope asked for; default <c>openid</c>.</summary>
    public string? Scope { get; set; }

    internal bool IsS3 => AwsServices.IsS3(Service);
}

/// <summary>Temporary AWS credentials (STS). The secret key and session token are never logged.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret key.</param>
/// <param name="SessionToken">The session token.</param>
/// <param name="ExpiresAt">When STS says they stop working.</param>
internal sealed record AwsCredential(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset ExpiresAt) : DelegatedCredential(ExpiresAt)
{
    /// <summary>Keeps the secret parts out of any accidental ToString.</summary>
    public override string ToString() => $"AwsCredential {{ AccessKeyId = {AccessKeyId} }}";
}
