using System.Security.Claims;
using WamsGateway.Authentication;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// Which partition a request counts in, from the validated token's claims (never a header the client chose) and the
/// authority that issued it (a <c>sub</c> is unique only within its tenant): a request without a caller, or a token
/// without the claim, counts by its address instead.
/// </summary>
internal static class RateLimitPartitionKey
{
    /// <param name="by">The policy's partitioning.</param>
    /// <param name="user">The caller, as the gateway's token validated it (anonymous when none).</param>
    /// <param name="authority">The configured name of the authority that issued the token.</param>
    /// <param name="address">The connection's remote address.</param>
    public static string For(RateLimitPartitionBy by, ClaimsPrincipal user, string? authority, string? address)
    {
        var caller = user.Identity?.IsAuthenticated == true ? user : null;
        var sub = caller?.FindFirst("sub")?.Value;
        var client = caller is null ? null : CallerClaims.ClientId(caller);
        return by switch
        {
            RateLimitPartitionBy.User when sub is not null => $"u:{authority}\n{sub}",
            RateLimitPartitionBy.Client when client is not null => $"c:{authority}\n{client}",
            RateLimitPartitionBy.UserAndClient when sub is not null => $"uc:{authority}\n{client}\n{sub}",
            _ => "ip:" + (address ?? "-"),
        };
    }
}
