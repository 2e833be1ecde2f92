using System.Security.Claims;

namespace WamsGateway.Authentication;

/// <summary>Claims about the caller that more than one feature reads, read one way.</summary>
internal static class CallerClaims
{
    public const string AuthorizedParty = "azp";

    /// <summary>RFC 9068's name for the calling client, where Auth0's tokens carry <c>azp</c>.</summary>
    public const string ClientIdClaim = "client_id";

    public const string Email = "email";

    public const string EmailVerifiedClaim = "email_verified";

    /// <summary>The <c>iss</c> claim: read through <see cref="Facts"/>, as the authority's configured issuer.</summary>
    public const string IssuerClaim = "iss";

    /// <summary>The calling application: <c>azp</c>, else RFC 9068's <c>client_id</c>.</summary>
    public static string? ClientId(ClaimsPrincipal user) =>
        user.FindFirst(AuthorizedParty)?.Value ?? user.FindFirst(ClientIdClaim)?.Value;

    /// <summary>
    /// The claim's one value, or null when the token has none, an empty one, or several (a JSON array): which of
    /// several a backend would take is its parser's guess, so none is forwarded.
    /// </summary>
    public static string? Single(ClaimsPrincipal user, string type)
    {
        string? value = null;
        foreach (var claim in user.FindAll(type))
        {
            if (value is not null)
            {
                return null;
            }

            value = claim.Value;
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// The authority's word that the caller's address is the user's: the token that authenticated the request has one
    /// <c>email</c> string and <c>email_verified</c> as the JSON value <c>true</c>; not the string <c>"true"</c>, not an array
    /// holding <c>true</c> (both read as the same claim once parsed, so the raw payload decides).
    /// </summary>
    public static bool EmailVerified(HttpContext context) => context.Features.Get<CallerToken>() is { EmailVerified: true };

    /// <summary>The caller's authority as configured and whether its email is verified (<see cref="CallerFacts"/>).</summary>
    public static CallerFacts Facts(HttpContext context) =>
        context.Features.Get<CallerToken>() is { } caller ? new(caller.Authority?.Address, caller.EmailVerified) : default;
}
