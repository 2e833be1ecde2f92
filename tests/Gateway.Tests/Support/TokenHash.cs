using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace WamsGateway.Tests.Support;

/// <summary>How the gateway names a caller's token in its cache keys: SHA-256, base64url.</summary>
public static class TokenHash
{
    public static string Of(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
