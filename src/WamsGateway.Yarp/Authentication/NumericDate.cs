using System.Collections.Frozen;
using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>
/// RFC 7519's NumericDate claims (<c>exp</c>, <c>nbf</c>, <c>iat</c>) as the gateway accepts them:
/// one JSON number each (fractions allowed), from 1970 up to the year 3000. Anything else (a string,
/// an array, a negative or absurd number, one no date type can hold) makes the token invalid, so no
/// code behind authentication ever meets such a date.
/// </summary>
internal static class NumericDate
{
    /// <summary>3000-01-01T00:00:00Z: later is absurd for a token, and leaves date arithmetic far from <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public const long MaxSeconds = 32_503_680_000;

    private static readonly FrozenSet<string> NumberTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        ClaimValueTypes.Integer, ClaimValueTypes.Integer32, ClaimValueTypes.Integer64,
        ClaimValueTypes.UInteger32, ClaimValueTypes.UInteger64, ClaimValueTypes.Double,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Seconds since the epoch, as a claim's value carries them, when in range.</summary>
    public static bool TryParse(string? value, out DateTimeOffset date)
    {
        date = default;
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            if (whole is < 0 or > MaxSeconds)
            {
                return false;
            }

            date = DateTimeOffset.FromUnixTimeSeconds(whole);
            return true;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds is < 0 or > MaxSeconds)
        {
            return false;
        }

        date = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>True when the token has exactly one usable <c>exp</c> and at most one usable <c>nbf</c> and <c>iat</c>.</summary>
    public static bool AreUsable(ClaimsPrincipal principal)
    {
        // Runs on every authenticated request: one pass over the claims, no per-type search.
        // Claim types match as the identity's own lookups do (FindFirst, FindAll): exactly in IdentityModel's
        // CaseSensitiveClaimsIdentity, ignoring case in a plain ClaimsIdentity, so "EXP" is a second exp there.
        int exp = 0, nbf = 0, iat = 0;
        foreach (var identity in principal.Identities)
        {
            var comparison = identity is CaseSensitiveClaimsIdentity ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            foreach (var claim in identity.Claims)
            {
                var type = claim.Type;
                var seen = type.Equals("exp", comparison) ? ++exp
                    : type.Equals("nbf", comparison) ? ++nbf
                    : type.Equals("iat", comparison) ? ++iat
                    : 0;
                if (seen > 1 || (seen == 1 && (!NumberTypes.Contains(claim.ValueType) || !TryParse(claim.Value, out _))))
                {
                    return false;
                }
            }
        }

        return exp == 1;
    }
}
