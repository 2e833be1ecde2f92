using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
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

        var buffer = new ClaimValues();
        Span<ClaimValue> values = buffer;
        var scanned = _headers.Length <= ClaimValues.Capacity && ScanOnce(user, values);
        for (var i = 0; i < _headers.Length; i++)
        {
            var (header, claimType) = _headers[i];
            var value = claimType == CallerClaims.IssuerClaim ? CallerClaims.Facts(context.HttpContext).Issuer
                : scanned ? values[i].Value
                : FindClaim(user, claimType);
            if (!string.IsNullOrEmpty(value) && (claimType != CallerClaims.Email || !_requireVerifiedEmail || CallerClaims.EmailVerified(context.HttpContext)))
            {
                AddHeader(context, header, Encode(value));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Every header's claim in one pass over the caller's claims, matched as the principal's own <c>FindAll</c> and
    /// <c>FindFirst</c> would match them (IdentityModel's identities by exact type, ASP.NET Core's ignoring case), so
    /// the outcome is <see cref="FindClaim"/>'s. False, nothing read, for a principal or identity of another type, whose
    /// lookups may be its own: those go header by header.
    /// </summary>
    private bool ScanOnce(ClaimsPrincipal user, Span<ClaimValue> values)
    {
        if (user.GetType() != typeof(ClaimsPrincipal))
        {
            return false;
        }

        foreach (var identity in user.Identities)
        {
            // A principal may hold null identities (its constructor takes them); its own lookups skip them, and so does this.
            if (identity is null)
            {
                continue;
            }

            // What was seen so far is dropped with the answer.
            if (identity.GetType() != typeof(CaseSensitiveClaimsIdentity) && identity.GetType() != typeof(ClaimsIdentity))
            {
                return false;
            }

            var comparison = identity is CaseSensitiveClaimsIdentity ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            foreach (var claim in identity.Claims)
            {
                for (var i = 0; i < _headers.Length; i++)
                {
                    values[i].See(_headers[i].Value, claim, comparison);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The claim's one value, searched for itself (<c>azp</c>: the calling application, else <c>client_id</c>); none when the
    /// token has several. <c>iss</c> never comes here: it is the caller's authority as configured.
    /// </summary>
    private static string? FindClaim(ClaimsPrincipal user, string claimType) =>
        claimType == CallerClaims.AuthorizedParty ? CallerClaims.ClientId(user) : CallerClaims.Single(user, claimType);

    /// <summary>What one pass found for one header's claim: <see cref="FindClaim"/>'s answer once every claim was seen.</summary>
    private struct ClaimValue
    {
        private string? _value;
        private string? _clientId;
        private int _count;

        public readonly string? Value => _count > 1 ? null : _value ?? _clientId;

        public void See(string claimType, Claim claim, StringComparison comparison)
        {
            if (claimType == CallerClaims.AuthorizedParty)
            {
                // The first azp, else the first client_id (CallerClaims.ClientId); several of either do not matter.
                if (_value is null && string.Equals(claim.Type, CallerClaims.AuthorizedParty, comparison))
                {
                    _value = claim.Value;
                }
                else if (_clientId is null && string.Equals(claim.Type, CallerClaims.ClientIdClaim, comparison))
                {
                    _clientId = claim.Value;
                }
            }
            else if (string.Equals(claim.Type, claimType, comparison))
            {
                // CallerClaims.Single: one claim of the type, or none forwarded.
                _value ??= claim.Value;
                _count++;
            }
        }
    }

    [System.Runtime.CompilerServices.InlineArray(Capacity)]
    private struct ClaimValues
    {
        public const int Capacity = 8;
        private ClaimValue _first;
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
