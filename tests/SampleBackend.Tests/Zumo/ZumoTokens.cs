using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SampleBackend.Tests.Zumo;

/// <summary>
/// Builds ZUMO tokens byte by byte, as Auth0's WAMS add-on did, independently of the code under test:
/// header {"alg":"HS256","typ":"JWT","kid":"0"}, HMAC key = SHA-256(masterKey + "JWTSig").
/// </summary>
internal static class ZumoTokens
{
    public const string MasterKey = "test-master-key-0123456789";

    public static Dictionary<string, object> Claims(string uid, DateTimeOffset now) => new()
    {
        ["uid"] = uid,
        ["ver"] = 2,
        ["iss"] = "urn:microsoft:windows-azure:zumo",
        ["aud"] = "client-a",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
    };

    public static string Mint(IDictionary<string, object> claims, string masterKey = MasterKey, IDictionary<string, object>? header = null)
    {
        header ??= new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = "0" };
        var input = Encode(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(masterKey + "JWTSig"));
        return input + "." + Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
