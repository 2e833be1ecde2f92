using System.Security.Claims;
using System.Text;
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

    public IdentityHeadersTransform(IEnumerable<KeyValuePair<string, string>> headers)
    {
        _headers = headers.Where(h => !string.IsNullOrWhiteSpace(h.Value)).ToArray();
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
            var value = FindClaim(user, claimType);
            if (value is not null)
            {
                AddHeader(context, header, Encode(value));
            }
        }

        return ValueTask.CompletedTask;
    }

    private static string? FindClaim(ClaimsPrincipal user, string claimType)
    {
        var value = claimType == CallerClaims.AuthorizedParty ? CallerClaims.ClientId(user) : user.FindFirst(claimType)?.Value;

        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Printable ASCII goes as is; anything else as percent-encoded UTF-8, so no claim can split a header.</summary>
    internal static string Encode(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return Uri.EscapeDataString(value.Normalize(NormalizationForm.FormC));
            }
        }

        return value;
    }
}
