namespace WamsGateway.Delegation;

/// <summary>What an exchange yields for one API: the credential and when it stops working.</summary>
/// <param name="Token">The bearer or ZUMO token; empty for AWS credentials.</param>
/// <param name="ExpiresAt">When the credential stops working.</param>
/// <param name="Aws">Temporary AWS credentials, for APIs whose requests are SigV4-signed.</param>
public sealed record DelegatedCredential(string Token, DateTimeOffset ExpiresAt, AwsCredentials? Aws = null);

/// <summary>Temporary AWS credentials (STS). The secret key and session token are never logged.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken)
{
    /// <summary>Keeps the secret parts out of any accidental ToString.</summary>
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
