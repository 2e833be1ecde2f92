using System.Security.Claims;
using WamsGateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Forwarding;

/// <summary>
/// Sets the identity headers from the validated token's claims. Runs after every inbound copy of
/// those header names was removed, so what a backend reads came from the token alone.
/// </summary>
internal sealed class IdentityHeadersTransform : RequestTransform
{
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly bool _requireVerifiedEmail;

    /// <param name="headers">Header name to claim type; an empty claim is a header switched off.</param>
    /// <param name="requireVerifiedEmail">The <c>email</c> claim only when <c>email_verified</c> is JSON <c>true</c>.</param>
    public IdentityHeadersTransform(IEnumerable<KeyValuePair<string, string>> headers, bool requireVerifiedEmail)
    {
        _headers = headers.Where(h => !string.IsNullOrWhiteSpace(h.Value)).ToArray();
        _requireVerifiedEmail = requireVerifiedEmail;
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var (header, claimType) in _headers)
        {
            var value = FindClaim(context.HttpContext, user, claimType);
            if (value is not null && (claimType != CallerClaims.Email || !_requireVerifiedEmail || CallerClaims.EmailVerified(context.HttpContext)))
            {
                AddHeader(context, header, Encode(value));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The claim's one value (<c>azp</c>: the calling application; <c>iss</c>: the caller's authority as configured, whichever
    /// spelling of it the token used); none when the token has several.
    /// </summary>
    private static string? FindClaim(HttpContext context, ClaimsPrincipal user, string claimType)
    {
        var value = claimType switch
        {
            CallerClaims.AuthorizedParty => CallerClaims.ClientId(user),
            CallerClaims.IssuerClaim => CallerClaims.Facts(context).Issuer,
            _ => CallerClaims.Single(user, claimType),
        };

        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// One encoding that no two claim values share: a value of printable ASCII without <c>%</c> goes as is; any other
    /// value goes percent-encoded as UTF-8 (RFC 3986 unreserved characters as they are, <c>%</c> itself as <c>%25</c>),
    /// so a backend percent-decodes every identity header and gets the claim back exactly: <c>böb@example.com</c> and the
    /// ASCII text <c>b%C3%B6b%40example.com</c> arrive as <c>b%C3%B6b%40example.com</c> and <c>b%25C3%25B6b%2540example.com</c>.
    /// No claim can split a header; nothing is normalised (two spellings the authority tells apart stay apart).
    /// </summary>
    internal static string Encode(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '%')
            {
                return Uri.EscapeDataString(value);
            }
        }

        return value;
    }
}
