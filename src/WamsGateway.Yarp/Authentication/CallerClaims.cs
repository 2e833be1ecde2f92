using System.Security.Claims;

namespace WamsGateway.Authentication;

/// <summary>Claims about the caller that more than one feature reads, read one way.</summary>
internal static class CallerClaims
{
    public const string AuthorizedParty = "azp";

    /// <summary>RFC 9068's name for the calling client, where Auth0's tokens carry <c>azp</c>.</summary>
    public const string ClientIdClaim = "client_id";

    /// <summary>The calling application: <c>azp</c>, else RFC 9068's <c>client_id</c>.</summary>
    public static string? ClientId(ClaimsPrincipal user) =>
        user.FindFirst(AuthorizedParty)?.Value ?? user.FindFirst(ClientIdClaim)?.Value;
}
