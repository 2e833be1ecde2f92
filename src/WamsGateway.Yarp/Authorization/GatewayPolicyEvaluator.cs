using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using WamsGateway.Authentication;

namespace WamsGateway.Authorization;

/// <summary>
/// ASP.NET Core's <see cref="PolicyEvaluator"/>, with one shortcut: a policy that asks for exactly an authenticated
/// user of the gateway's scheme (the <c>WamsGateway</c> policy every proxied route without its own gets, and the
/// standalone host's fallback) is decided from that scheme's result as it stands: the one the host's authentication
/// middleware already got, when it names one of the gateway's authorities (each authentication hands out a copy of
/// the principal, so a second is avoided), and without running the authorization service, as long as the host
/// registered no authorization handler of its own (which would have to see every policy). The outcome is the stock
/// one: the scheme's user, or an anonymous one; success for an authenticated identity, challenge without one,
/// forbid for a ticket whose identities are not authenticated. Every other policy goes to the stock evaluator.
/// </summary>
internal sealed class GatewayPolicyEvaluator : IPolicyEvaluator
{
    private static readonly PolicyAuthorizationResult Succeeded = PolicyAuthorizationResult.Success();
    private readonly AuthorizationHandlersInUse _handlers;
    private readonly GatewayAuthorities _authorities;

    // A singleton: the stock evaluator (transient, over the authorization service and whatever handlers the host
    // scoped) is resolved from the request's services, and only for the policies it decides.
    public GatewayPolicyEvaluator(AuthorizationHandlersInUse handlers, GatewayAuthorities authorities)
    {
        _handlers = handlers;
        _authorities = authorities;
    }

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
        IsGatewayPolicy(policy) && _handlers.OnlyStock(context) ? AuthenticateGatewayAsync(context) : Stock(context).AuthenticateAsync(policy, context);

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (!IsGatewayPolicy(policy) || !_handlers.OnlyStock(context))
        {
            return Stock(context).AuthorizeAsync(policy, authenticationResult, context, resource);
        }

        if (context.User.Identities.Any(i => i.IsAuthenticated))
        {
            return Task.FromResult(Succeeded);
        }

        return Task.FromResult(authenticationResult.Succeeded ? PolicyAuthorizationResult.Forbid() : PolicyAuthorizationResult.Challenge());
    }

    private static PolicyEvaluator Stock(HttpContext context) => context.RequestServices.GetRequiredService<PolicyEvaluator>();

    /// <summary>Exactly <c>RequireAuthenticatedUser()</c> on the gateway's scheme alone.</summary>
    internal static bool IsGatewayPolicy(AuthorizationPolicy policy) =>
        policy.Requirements is [DenyAnonymousAuthorizationRequirement]
        && policy.AuthenticationSchemes is [WamsGatewayDefaults.AuthenticationScheme];

    private Task<AuthenticateResult> AuthenticateGatewayAsync(HttpContext context)
    {
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } done
            && _authorities.AuthorityOf(context, done) is not null)
        {
            context.User = done.Principal;
            return Task.FromResult(done);
        }

        var authentication = context.AuthenticateAsync(WamsGatewayDefaults.AuthenticationScheme);
        return authentication.IsCompletedSuccessfully ? Task.FromResult(Settle(context, authentication.Result)) : AwaitAsync(context, authentication);

        static async Task<AuthenticateResult> AwaitAsync(HttpContext context, Task<AuthenticateResult> authentication) => Settle(context, await authentication);
    }

    private static AuthenticateResult Settle(HttpContext context, AuthenticateResult result)
    {
        if (result.Succeeded)
        {
            context.User = result.Principal;
            return result;
        }

        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        return AuthenticateResult.NoResult();
    }
}

/// <summary>Whether the host registered authorization handlers besides ASP.NET Core's own, read once from the first request's services.</summary>
internal sealed class AuthorizationHandlersInUse
{
    private int _state;

    public bool OnlyStock(HttpContext context)
    {
        var state = Volatile.Read(ref _state);
        if (state == 0)
        {
            var onlyStock = context.RequestServices.GetServices<IAuthorizationHandler>().All(h => h is PassThroughAuthorizationHandler);
            state = onlyStock ? 1 : 2;
            Volatile.Write(ref _state, state);
        }

        return state == 1;
    }
}
