using System.Security.Cryptography;
using System.Text;

namespace LocalAuthority.Tokens;

internal static class Secrets
{
    public static bool FixedTimeEquals(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
