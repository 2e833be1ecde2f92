using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WamsGateway.Tests.Hosting;

/// <summary>
/// A team's own YARP host that adds the gateway with the package's public API only, as docs/your-own-host.md shows,
/// next to things of its own: a default authentication scheme and fallback policy of its own (an API key),
/// an authorization handler of its own (every policy must pass it), its own endpoint, its own middleware, its own problem-details customisation, and its own exchange kind.
/// </summary>
public static class ForeignHost
{
    public const string TeamScheme = "TeamKey";
    public const string TeamKey = "team-key-for-tests";

    /// <summary>The clusters whose client the host's own <c>ConfigureHttpClient</c> tuned, with the limit it set.</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, int> TunedClusters { get; } = new(StringComparer.Ordinal);

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Configuration["config"] is { } file)
        {
            builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: true);
        }

        builder.Services.AddAuthentication(TeamScheme).AddScheme<AuthenticationSchemeOptions, TeamKeyHandler>(TeamScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(TeamScheme).RequireAuthenticatedUser().Build());
        builder.Services.AddSingleton<IAuthorizationHandler, TeamBlockHandler>();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context => context.ProblemDetails.Extensions["team"] = "payments");

        // As YARP's documentation composes a proxy: the gateway added, then YARP's outbound client tuned after it.
        var proxy = builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        proxy.AddWamsGateway(builder.Configuration.GetSection("Gateway"))
            .AddExchangeKind<TeamAssertionExchange>("TeamAssertion")
            .AddExchangeKind<CatalogTenantKind>("CatalogTenant");
        proxy.ConfigureHttpClient((context, handler) =>
        {
            handler.MaxConnectionsPerServer = 512;
            TunedClusters[context.ClusterId] = handler.MaxConnectionsPerServer;
        });
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["X-Team-Host"] = "yes";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/team/status", (ClaimsPrincipal user) => Results.Ok(new { operator_ = user.Identity?.Name }));
        app.MapWamsGatewayHealthChecks();
        app.MapReverseProxy(proxy => proxy.UseWamsGateway());
        return app;
    }

    /// <summary>The team's own scheme: an API key in X-Team-Key.</summary>
    private sealed class TeamKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers["X-Team-Key"] == TeamKey
                ? AuthenticateResult.Success(new AuthenticationTicket(
                    new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "team-operator"), new Claim("sub", "team-operator")], TeamScheme)), TeamScheme))
                : AuthenticateResult.NoResult());
    }

    /// <summary>The team's own rule, which every policy's evaluation must pass: a request marked <c>X-Team-Blocked: yes</c> is forbidden.</summary>
    public sealed class TeamBlockHandler : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            if (context.Resource is HttpContext http && http.Request.Headers["X-Team-Blocked"] == "yes")
            {
                context.Fail();
            }

            return Task.CompletedTask;
        }
    }
}
