using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Authorization;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.Tests.Authorization;

/// <summary>
/// The policy evaluator the gateway installs: the gateway's own policy decided from its scheme's result as it stands,
/// with the stock evaluator's outcome; every other policy, and every policy in a host with handlers of its own, stock.
/// </summary>
public sealed class GatewayPolicyEvaluatorTests
{
    private static readonly AuthorizationPolicy GatewayPolicy =
        new AuthorizationPolicyBuilder(WamsGatewayDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build();

    [Fact]
    public void OnlyAnAuthenticatedUserOfTheGatewaysSchemeAlone_IsTheGatewaysPolicy()
    {
        Assert.True(GatewayPolicyEvaluator.IsGatewayPolicy(GatewayPolicy));
        Assert.False(GatewayPolicyEvaluator.IsGatewayPolicy(new AuthorizationPolicyBuilder(WamsGatewayDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireClaim("scope").Build()));
        Assert.False(GatewayPolicyEvaluator.IsGatewayPolicy(new AuthorizationPolicyBuilder(WamsGatewayDefaults.AuthenticationScheme, "Other").RequireAuthenticatedUser().Build()));
        Assert.False(GatewayPolicyEvaluator.IsGatewayPolicy(new AuthorizationPolicyBuilder("Other").RequireAuthenticatedUser().Build()));
        Assert.False(GatewayPolicyEvaluator.IsGatewayPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()));
    }

    [Fact]
    public async Task TheGatewaysPolicy_TakesWhatTheHostsAuthenticationMiddlewareGot_AndSucceeds()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: "alice");
        var middleware = await AuthenticateAsTheMiddlewareDoesAsync(context);

        var (authenticated, authorized) = await EvaluateAsync(evaluator, GatewayPolicy, context);

        Assert.Same(middleware, authenticated);
        Assert.Same(middleware.Principal, context.User);
        Assert.True(authorized.Succeeded);
    }

    [Fact]
    public async Task TheGatewaysPolicy_WithoutTheMiddlewaresResult_AuthenticatesTheGatewaysScheme()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: "alice");

        var (authenticated, authorized) = await EvaluateAsync(evaluator, GatewayPolicy, context);

        Assert.Equal("alice", authenticated.Principal!.FindFirst("sub")?.Value);
        Assert.Equal(GatewayAuthority.SchemeFor("default"), authenticated.Ticket!.AuthenticationScheme);
        Assert.Same(authenticated.Principal, context.User);
        Assert.True(authorized.Succeeded);
    }

    [Fact]
    public async Task TheGatewaysPolicy_AHostSchemesResult_IsNotTaken()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: null);
        var host = AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "team-operator")], "TeamKey")), "TeamKey"));
        context.Features.Set<IAuthenticateResultFeature>(new ResultFeature(host));

        var (authenticated, authorized) = await EvaluateAsync(evaluator, GatewayPolicy, context);

        Assert.True(authenticated.None);
        Assert.True(authorized.Challenged);
    }

    [Fact]
    public async Task TheGatewaysPolicy_WithoutAToken_LeavesAnAnonymousUser_AndChallenges()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: null);

        var (authenticated, authorized) = await EvaluateAsync(evaluator, GatewayPolicy, context);

        Assert.True(authenticated.None);
        Assert.DoesNotContain(context.User.Identities, i => i.IsAuthenticated);
        Assert.True(authorized.Challenged);
    }

    [Fact]
    public async Task TheGatewaysPolicy_ATicketWithoutAnAuthenticatedIdentity_IsForbidden()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: "");

        var (authenticated, authorized) = await EvaluateAsync(evaluator, GatewayPolicy, context);

        Assert.True(authenticated.Succeeded);
        Assert.True(authorized.Forbidden);
    }

    [Fact]
    public async Task AnotherPolicy_GoesToTheStockEvaluator()
    {
        await using var services = Services(hostHandler: false);
        var (context, evaluator) = Request(services, user: "alice");
        var other = new AuthorizationPolicyBuilder(WamsGatewayDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireClaim("sub", "bob").Build();

        var (authenticated, authorized) = await EvaluateAsync(evaluator, other, context);

        // The stock evaluator makes a ticket of its own, named after the policy's schemes.
        Assert.Equal(WamsGatewayDefaults.AuthenticationScheme, authenticated.Ticket!.AuthenticationScheme);
        Assert.True(authorized.Forbidden);
    }

    [Fact]
    public async Task AHostWithAnAuthorizationHandlerOfItsOwn_HasItRunOnTheGatewaysPolicyToo()
    {
        await using var services = Services(hostHandler: true);
        var (allowed, evaluator) = Request(services, user: "alice");
        var (blocked, _) = Request(services, user: "alice");
        blocked.Request.Headers["X-Team-Blocked"] = "yes";
        var middleware = await AuthenticateAsTheMiddlewareDoesAsync(allowed);

        var (authenticated, allowedResult) = await EvaluateAsync(evaluator, GatewayPolicy, allowed);
        var (_, blockedResult) = await EvaluateAsync(evaluator, GatewayPolicy, blocked);

        Assert.NotSame(middleware, authenticated);
        Assert.Equal(WamsGatewayDefaults.AuthenticationScheme, authenticated.Ticket!.AuthenticationScheme);
        Assert.True(allowedResult.Succeeded);
        Assert.True(blockedResult.Forbidden);
    }

    /// <summary>What the authorization middleware asks of the evaluator for one request: authenticate, then authorize.</summary>
    private static async Task<(AuthenticateResult Authenticated, PolicyAuthorizationResult Authorized)> EvaluateAsync(
        IPolicyEvaluator evaluator, AuthorizationPolicy policy, HttpContext context)
    {
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        return (authenticated, await evaluator.AuthorizeAsync(policy, authenticated, context, context));
    }

    private static ServiceProvider Services(bool hostHandler)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(WamsGatewayDefaults.AuthenticationScheme, null);
        services.AddAuthorization();
        services.AddGatewayAuthorization();
        services.AddHttpClient();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayMeter>();
        services.AddSingleton(Options.Create(new WamsGatewayOptions { Authentication = { Authority = "https://tenant.example.com/" } }));
        services.AddSingleton<GatewayAuthorities>();
        if (hostHandler)
        {
            services.AddSingleton<IAuthorizationHandler, Hosting.ForeignHost.TeamBlockHandler>();
        }

        return services.BuildServiceProvider();
    }

    private static (HttpContext Context, IPolicyEvaluator Evaluator) Request(ServiceProvider services, string? user)
    {
        var scope = services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        if (user is not null)
        {
            context.Request.Headers["X-Test-User"] = user;
        }

        return (context, scope.ServiceProvider.GetRequiredService<IPolicyEvaluator>());
    }

    /// <summary>What ASP.NET Core's authentication middleware does with the default scheme (here the gateway's).</summary>
    private static async Task<AuthenticateResult> AuthenticateAsTheMiddlewareDoesAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(WamsGatewayDefaults.AuthenticationScheme);
        context.User = result.Principal!;
        context.Features.Set<IAuthenticateResultFeature>(new ResultFeature(result));
        return result;
    }

    private sealed class ResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }

    /// <summary>
    /// Stands in for the gateway's scheme: the user named in <c>X-Test-User</c> (an empty name: a ticket whose identity
    /// is not authenticated), its ticket named as the default authority's.
    /// </summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"] is not [{ } name])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = name.Length == 0 ? new ClaimsIdentity() : new ClaimsIdentity([new Claim("sub", name)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), GatewayAuthority.SchemeFor("default"))));
        }
    }
}
