using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
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
    public static DelegationCacheKey For(DelegationRequest request)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(request.SubjectToken), hash);
        var owner = Base64UrlEncoder.Encode(hash.ToArray());
        return new DelegationCacheKey($"delegation:{request.Api.Name}:{request.Api.Fingerprint}:{owner}", owner);
    }
}
