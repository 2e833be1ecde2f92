using System.Security.Claims;
using WamsGateway.Authentication;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>One caller, one API, as the cache sees it.</summary>
/// <param name="Api">The API, as the request's configuration snapshot defines it.</param>
/// <param name="SubjectToken">The caller's validated bearer token. Never logged, never a cache key.</param>
/// <param name="User">The caller's claims.</param>
/// <param name="SubjectExpiresAt">The caller's token's <c>exp</c>.</param>
/// <param name="Authority">The authority that issued the caller's token; null: the default one.</param>
/// <param name="ClientAddress">The caller's address, for an <c>ExchangeRateLimit</c> partitioned by it.</param>
/// <param name="SubjectTokenHash">The token's SHA-256 when already known (<see cref="ValidatedCaller.OwnerHash"/>); null: computed.</param>
internal sealed record DelegationRequest(ApiDefinition Api, string SubjectToken, ClaimsPrincipal User, DateTimeOffset SubjectExpiresAt, GatewayAuthority? Authority = null, string? ClientAddress = null,
    string? SubjectTokenHash = null)
{
    public override string ToString() => $"DelegationRequest {{ Api = {Api.Name} }}";
}
