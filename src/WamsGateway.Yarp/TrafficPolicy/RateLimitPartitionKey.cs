using System.Security.Claims;
using WamsGateway.Authentication;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// Which partition a request counts in, from the validated token's claims (never a header the client chose): a
/// request without a caller, or a token without the claim, counts by its address instead.
/// </summary>
internal static class RateLimitPartitionKey
{
    public static string For(RateLimitPartitionBy by, ClaimsPrincipal user, string? address)
    {
        var caller = user.Identity?.IsAuthenticated == true ? user : null;
        var sub = caller?.FindFirst("sub")?.Value;
        var client = caller is null ? null : CallerClaims.ClientId(caller);
        return by switch
        {
            RateLimitPartitionBy.User when sub is not null => "u:" + sub,
            RateLimitPartitionBy.Client when client is not null => "c:" + client,
            RateLimitPartitionBy.UserAndClient when sub is not null => "uc:" + (client ?? "-") + "\n" + sub,
            _ => "ip:" + (address ?? "-"),
        };
    }
}
