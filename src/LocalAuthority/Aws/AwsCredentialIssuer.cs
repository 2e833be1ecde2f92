using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LocalAuthority.Aws;

/// <summary>
/// Mints temporary AWS-style credentials the way a real STS could be imitated: the secret key is
/// derived from the access key id with a root secret the sample backend shares, and the session
/// token is a signed statement of who the credentials are for and until when.
/// </summary>
public sealed class AwsCredentialIssuer
{
    private readonly string? _rootSecret;
    private readonly TimeProvider _time;

    public AwsCredentialIssuer(IOptions<LocalAuthorityOptions> options, TimeProvider time)
    {
        _rootSecret = options.Value.AwsRootSecret;
        _time = time;
    }

    public bool Configured => !string.IsNullOrEmpty(_rootSecret);

    public IssuedAwsCredentials Issue(string subject, string roleArn, string sessionName, TimeSpan duration)
    {
        var accessKeyId = "ASIA" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var expiration = _time.GetUtcNow().Add(duration);
        var key = Encoding.UTF8.GetBytes(_rootSecret!);
        var secret = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("secret:" + accessKeyId)))[..40];
        var statement = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["akid"] = accessKeyId,
            ["sub"] = subject,
            ["role"] = roleArn,
            ["session"] = sessionName,
            ["exp"] = expiration.ToUnixTimeSeconds(),
        }));
        var sessionToken = statement + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("session:" + statement)));
        return new IssuedAwsCredentials(accessKeyId, secret, sessionToken, expiration);
    }
}

public sealed record IssuedAwsCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration);
