using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WamsGateway.Exchanges.AwsSts.SigV4;

/// <summary>AWS credentials to sign with; the session token is there for temporary (STS) credentials.</summary>
internal sealed record SigV4Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken);

/// <summary>What gets signed: the request as it goes on the wire, and every header to sign (Host included).</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path as sent (percent-encoded, or raw in the test suite).</param>
/// <param name="Query">The query as sent, without '?', or null.</param>
/// <param name="Headers">Name/value pairs to sign, in any case and order; repeated names are joined.</param>
/// <param name="PayloadHash">Hex SHA-256 of the body, or UNSIGNED-PAYLOAD.</param>
internal sealed record SigV4Request(string Method, string Path, string? Query, IReadOnlyList<KeyValuePair<string, string>> Headers, string PayloadHash);

/// <summary>How the path becomes the canonical URI.</summary>
internal enum SigV4PathStyle
{
    /// <summary>Most services: dot segments and repeated slashes removed, each segment of the sent path encoded again.</summary>
    Normalized,

    /// <summary>Each segment of the sent path encoded again, nothing removed.</summary>
    AsSent,

    /// <summary>S3: nothing removed, each segment decoded and encoded once.</summary>
    S3,
}

/// <summary>The steps of a signature, each as AWS documents it, so tests can compare them one by one.</summary>
internal sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string Signature, string SignedHeaders, string Authorization);

/// <summary>
/// AWS Signature Version 4 for the Authorization header: canonical request, string to sign,
/// derived key chain, signature. Checked against the AWS SigV4 test suite (all 38 cases).
/// </summary>
/// <remarks>
/// Why not AWSSDK.Core's public <c>Amazon.Runtime.Signing.AWSSigV4Signer</c>, already a dependency: run
/// against the same suite (SdkSignerDecisionTests) it reproduces 2 of the 38 signatures. It always signs
/// <c>x-amz-content-sha256</c>, and it reads the path through <see cref="Uri"/>, which removes dot
/// segments: <c>/a/b/../..</c> is signed as <c>/</c>, while S3 signs the path as sent, so an S3 key with
/// such segments would be signed for another object. This signer signs the path the backend receives.
/// </remarks>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public static readonly string EmptyPayloadHash = Hex(SHA256.HashData([]));

    /// <param name="request">The request to sign.</param>
    /// <param name="credentials">The key to sign with.</param>
    /// <param name="region">The region, e.g. us-east-1.</param>
    /// <param name="service">The service, e.g. s3 or execute-api.</param>
    /// <param name="time">The request time; the same value must be in X-Amz-Date.</param>
    /// <param name="pathStyle">S3's path rules, or other services'.</param>
    public static SigV4Signature Sign(SigV4Request request, SigV4Credentials credentials, string region, string service, DateTimeOffset time, SigV4PathStyle pathStyle)
    {
        var (canonicalHeaders, signedHeaders) = CanonicalHeaders(request.Headers);
        var canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalUri(request.Path, pathStyle),
            CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            request.PayloadHash);

        var date = time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, AmzDate(time), scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signature, signedHeaders, authorization);
    }

    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string PayloadHash(ReadOnlySpan<byte> body) => Hex(SHA256.HashData(body));

    internal static string CanonicalUri(string path, SigV4PathStyle style)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var segments = path.Split('/');
        switch (style)
        {
            case SigV4PathStyle.S3:
                return string.Join('/', segments.Select(s => UriEncode(Uri.UnescapeDataString(s))));
            case SigV4PathStyle.AsSent:
                return string.Join('/', segments.Select(UriEncode));
        }

        var normalized = new List<string>();
        foreach (var segment in segments.Skip(1))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (normalized.Count > 0)
                {
                    normalized.RemoveAt(normalized.Count - 1);
                }

                continue;
            }

            normalized.Add(UriEncode(segment));
        }

        var trailingSlash = normalized.Count > 0 && (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal));
        return "/" + string.Join('/', normalized) + (trailingSlash ? "/" : string.Empty);
    }

    /// <summary>Names and values decoded, then encoded strictly (RFC 3986 unreserved), sorted by name then value.</summary>
    internal static string CanonicalQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? p : p[..eq];
                var value = eq < 0 ? string.Empty : p[(eq + 1)..];
                return (Name: UriEncode(Uri.UnescapeDataString(name)), Value: UriEncode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>Lower-case names, sorted; values trimmed with inner runs of white space folded; repeats joined by commas.</summary>
    internal static (string Canonical, string Signed) CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var grouped = headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => FoldWhiteSpace(h.Value)))))
            .ToList();
        var canonical = string.Concat(grouped.Select(h => h.Name + ":" + h.Value + "\n"));
        return (canonical, string.Join(';', grouped.Select(h => h.Name)));
    }

    /// <summary>AWS's URI encoding: everything but A-Z a-z 0-9 - . _ ~ as %XX of its UTF-8 bytes.</summary>
    public static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string FoldWhiteSpace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
