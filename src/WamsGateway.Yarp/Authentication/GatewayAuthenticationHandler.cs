using Microsoft.AspNetCore.Authentication;
using WamsGateway.Configuration;

namespace WamsGateway.Authentication;

/// <summary>
/// The gateway's scheme (<see cref="WamsGatewayDefaults.AuthenticationScheme"/>). A token its authority validated before
/// (<see cref="ValidatedTokenCache"/>: not expired, not past the cache's <c>MaxAge</c>, validated with the authority's
/// current keys, whose discovery document needs no refresh) is authenticated in one step, as the cache would have
/// answered JwtBearer, without JwtBearer's per-request work. Every other request, with no token, a bad one, or one not
/// seen before, goes to the JwtBearer scheme of the authority its <c>iss</c> names (<see cref="GatewayAuthority.SchemeName"/>;
/// the default authority's when none does, where it is refused before any key is fetched), and so do challenges and
/// forbids: JwtBearer's discovery, rotation, events and challenges stay per authority. A request is authenticated once,
/// however many times it is asked (the host's middleware, the route's policy, the gateway's proxy steps). A request that
/// carries no token at all (nothing in <c>Authorization</c>, nor in its API's <c>TokenHeader</c>) has no result, as
/// JwtBearer would answer with the gateway's events, without creating JwtBearer's handler for it.
/// </summary>
internal sealed class GatewayAuthenticationHandler : IAuthenticationHandler
{
    /// <summary>What a request without a token gets: no result (not a failure), one instance for every such request.</summary>
    internal static readonly Task<AuthenticateResult> NoToken = Task.FromResult(AuthenticateResult.NoResult());

    private readonly GatewayAuthorities _authorities;
    private readonly ApiCatalog _catalog;
    private HttpContext _context = null!;
    private Task<AuthenticateResult>? _result;

    public GatewayAuthenticationHandler(GatewayAuthorities authorities, ApiCatalog catalog)
    {
        _authorities = authorities;
        _catalog = catalog;
    }

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= Authenticate();

    public Task ChallengeAsync(AuthenticationProperties? properties) => _context.ChallengeAsync(Target(), properties);

    public Task ForbidAsync(AuthenticationProperties? properties) => _context.ForbidAsync(Target(), properties);

    private Task<AuthenticateResult> Authenticate()
    {
        var caller = CallerToken.For(_context, _catalog, _authorities);
        if (caller is { Validated: { } validated, Authority: { } authority } && authority.Metadata.IsCurrent)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(validated.NewPrincipal(), authority.SchemeName)));
        }

        if (caller.CarriesNoToken)
        {
            return NoToken;
        }

        return _context.AuthenticateAsync((caller.Authority ?? _authorities.Default).SchemeName);
    }

    private string Target() => (CallerToken.For(_context, _catalog, _authorities).Authority ?? _authorities.Default).SchemeName;
}
