using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace SampleBackend.Aws;

/// <summary>
/// Checks an AWS Signature Version 4 the way an AWS service would, written apart from the
/// gateway's signer so that each checks the other: it rebuilds the canonical request from what
/// arrived on the socket (the raw request target, the named headers, the body), derives the secret
/// key from the access key id, and checks the session token the local authority signed.
/// </summary>
public sealed class SigV4Verifier
{
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    private readonly byte[]? _root;
    private readonly TimeProvider _time;

    public SigV4Verifier(IOptions<SampleBackendOptions> options, TimeProvider time)
    {
        _root = options.Value.AwsRootSecret is { Length: > 0 } root ? Encoding.UTF8.GetBytes(root) : null;
        _time = time;
    }

    public AwsCaller Verify(HttpContext context, string service, byte[] body)
    {
        if (_root is null)
        {
            return AwsCaller.Fail("NotConfigured", "SampleBackend:AwsRootSecret is not set.");
        }

        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        const string Prefix = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return AwsCaller.Fail("MissingAuthenticationToken", "No AWS4-HMAC-SHA256 Authorization header.");
        }

        var fields = authorization[Prefix.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
        {
            return AwsCaller.Fail("IncompleteSignature", "Credential, SignedHeaders and Signature are all required.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[3] != service || scope[4] != "aws4_request")
        {
            return AwsCaller.Fail("IncompleteSignature", $"The credential scope is not for service '{service}'.");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || (signedAt - _time.GetUtcNow()).Duration() > AllowedSkew || scope[1] != amzDate[..8])
        {
            return AwsCaller.Fail("RequestExpired", "X-Amz-Date is missing, malformed, or too far from now.");
        }

        var session = ReadSessionToken(request.Headers["X-Amz-Security-Token"].ToString(), scope[0]);
        if (session is null)
        {
            return AwsCaller.Fail("InvalidToken", "The session token is missing, forged, expired, or not for this access key.");
        }

        var payloadHash = request.Headers["x-amz-content-sha256"].ToString();
        if (payloadHash != "UNSIGNED-PAYLOAD" && payloadHash != Convert.ToHexStringLower(SHA256.HashData(body)))
        {
            return AwsCaller.Fail("XAmzContentSHA256Mismatch", "The body does not match x-amz-content-sha256.");
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || !names.Contains("x-amz-date") || !names.Contains("x-amz-security-token"))
        {
            return AwsCaller.Fail("IncompleteSignature", "host, x-amz-date and x-amz-security-token must be signed.");
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalPath(question < 0 ? target : target[..question], service == "s3")).Append('\n')
            .Append(CanonicalQuery(question < 0 ? string.Empty : target[(question + 1)..])).Append('\n');
        foreach (var name in names)
        {
            var value = name == "host" ? request.Host.Value : string.Join(',', request.Headers[name].Select(v => Fold(v ?? string.Empty)));
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{string.Join('/', scope[1..])}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretFor(scope[0]));
        foreach (var part in new[] { scope[1], scope[2], scope[3], "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign));
        var given = Convert.FromHexString(signature.Length == 64 && signature.All(char.IsAsciiHexDigit) ? signature : new string('0', 64));
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? new AwsCaller(session.Value.Subject, session.Value.Role, scope[0], null, null)
            : AwsCaller.Fail("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }

    private string SecretFor(string accessKeyId) =>
        Convert.ToBase64String(HMACSHA256.HashData(_root!, Encoding.UTF8.GetBytes("secret:" + accessKeyId)))[..40];

    private (string Subject, string Role)? ReadSessionToken(string token, string accessKeyId)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var statement = token[..dot];
        var mac = HMACSHA256.HashData(_root!, Encoding.UTF8.GetBytes("session:" + statement));
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(mac, Base64Url.DecodeFromChars(token.AsSpan(dot + 1))))
            {
                return null;
            }

            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(statement));
            var root = json.RootElement;
            var live = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()) > _time.GetUtcNow();
            return live && root.GetProperty("akid").GetString() == accessKeyId
                ? (root.GetProperty("sub").GetString()!, root.GetProperty("role").GetString()!)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    // S3: each segment decoded, then encoded once. Other services: dot segments and empty segments
    // dropped, then each segment of the path as received encoded once more.
    private static string CanonicalPath(string rawPath, bool s3)
    {
        var segments = rawPath.Split('/');
        if (s3)
        {
            return string.Join('/', segments.Select(s => Encode(Uri.UnescapeDataString(s))));
        }

        var kept = new Stack<string>();
        foreach (var segment in segments.Skip(1))
        {
            if (segment == "..")
            {
                kept.TryPop(out _);
            }
            else if (segment is not ("" or "."))
            {
                kept.Push(Encode(segment));
            }
        }

        var path = "/" + string.Join('/', kept.Reverse());
        return kept.Count > 0 && rawPath.EndsWith('/') ? path + "/" : path;
    }

    private static string CanonicalQuery(string query) =>
        string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    private static string Encode(string value) =>
        string.Concat(Encoding.UTF8.GetBytes(value).Select(b =>
            (b is >= (byte)'A' and <= (byte)'Z') || (b is >= (byte)'a' and <= (byte)'z') || (b is >= (byte)'0' and <= (byte)'9') || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~'
                ? ((char)b).ToString()
                : "%" + b.ToString("X2", CultureInfo.InvariantCulture)));

    private static string Fold(string value) => string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>Who signed: the user the session token was issued for, and the role; or why not.</summary>
public sealed record AwsCaller(string? Subject, string? Role, string? AccessKeyId, string? Error, string? Message)
{
    public static AwsCaller Fail(string error, string message) => new(null, null, null, error, message);
}
