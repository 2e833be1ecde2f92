using System.Security.Claims;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>One caller, one API: everything an exchange needs.</summary>
/// <param name="Api">The API, as configured under <c>Gateway:Apis</c>.</param>
/// <param name="SubjectToken">The caller's validated bearer token. Never logged, never a cache key.</param>
/// <param name="User">The caller's claims.</param>
/// <param name="SubjectExpiresAt">The caller's token's <c>exp</c>.</param>
public sealed record DelegationRequest(ApiDefinition Api, string SubjectToken, ClaimsPrincipal User, DateTimeOffset SubjectExpiresAt)
{
    public ApiOptions Options => Api.Options;

    /// <summary>The calling application: <c>azp</c>, else RFC 9068's <c>client_id</c>.</summary>
    public string? ClientId => Authentication.CallerClaims.ClientId(User);
}
