using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using WamsGateway.Delegation;

namespace WamsGateway.Caching;

/// <summary>
/// One entry per (API, caller token, what the API asks for): the API's name, the API's configuration
/// fingerprint and the owner, a SHA-256 of the caller's token (never the token, never a user id).
/// </summary>
/// <param name="Value">The cache key.</param>
/// <param name="Owner">The SHA-256 of the caller's token, base64url; also stored inside the value and checked on read.</param>
internal readonly record struct DelegationCacheKey(string Value, string Owner)
{
    // One hash object per thread, reused: a one-shot hash sets up and tears down OpenSSL's context each time.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    public static DelegationCacheKey For(DelegationRequest request)
    {
        // Hashed once per token where the validated-token cache keeps it, else here.
        var owner = request.SubjectTokenHash ?? HashOf(request.SubjectToken);
        return new DelegationCacheKey(string.Concat("delegation:", request.Api.Name, ":", request.Api.Fingerprint, ":", owner), owner);
    }

    /// <summary>SHA-256 of a caller's token, base64url: what names the caller in a cache, never the token itself.</summary>
    public static string HashOf(string token)
    {
        // Per request on the hot path: the token's bytes go through a pooled buffer, not a new array.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(token.Length));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha256.AppendData(buffer.AsSpan(0, Encoding.UTF8.GetBytes(token, buffer)));
            sha256.GetHashAndReset(hash);
        }
        finally
        {
            // The token's bytes do not stay behind for the next renter.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        return Base64Url.EncodeToString(hash);
    }
}
