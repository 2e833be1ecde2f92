using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Delegation;

namespace WamsGateway.Caching;

/// <summary>
/// One entry per (API, caller token, what the API asks for): the API's name, a SHA-256 of the
/// caller's token (never the token, never a user id) and the API's configuration fingerprint.
/// </summary>
internal static class DelegationCacheKey
{
    public static string For(DelegationRequest request)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(request.SubjectToken), hash);
        return $"delegation:{request.Api.Name}:{request.Api.Fingerprint}:{Base64UrlEncoder.Encode(hash.ToArray())}";
    }
}
