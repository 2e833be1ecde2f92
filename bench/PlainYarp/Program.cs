// The yardsticks the gateway is measured against, each YARP (the same Yarp.ReverseProxy version) with one
// catch-all route to one destination and no logging:
//   plain YARP                   dotnet PlainYarp.dll --urls http://127.0.0.1:5302 --backend http://127.0.0.1:5301/
//   --otel: the gateway's OpenTelemetry setup and nothing else, to price telemetry apart from the gateway;
//   --jwt-authority <url> --jwt-audience <aud> (with --otel: "diy"): what a team writes by hand instead of the
//     gateway: stock JwtBearer validating every request, a fallback policy requiring a signed-in user, and the
//     user's sub put in X-User-Id.
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

// --otel is a switch: left in, the command-line configuration would take the argument after it as its value
// (and lose --jwt-authority that way).
var otel = args.Contains("--otel");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--otel").ToArray());
builder.Logging.ClearProviders();
var backend = builder.Configuration["backend"] ?? throw new InvalidOperationException("--backend <url> is required.");
if (otel)
{
    builder.AddWamsGatewayTelemetry();
}

var proxy = builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backend } } }]);

var authority = builder.Configuration["jwt-authority"];
if (authority is not null)
{
    builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
    {
        options.Authority = authority;
        options.Audience = builder.Configuration["jwt-audience"] ?? throw new InvalidOperationException("--jwt-audience <audience> is required with --jwt-authority.");
        options.RequireHttpsMetadata = false;
        options.MapInboundClaims = false;
    });
    builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    proxy.AddTransforms(context => context.AddRequestTransform(transform =>
    {
        transform.ProxyRequest.Headers.Remove("X-User-Id");
        if (transform.HttpContext.User.FindFirstValue("sub") is { } subject)
        {
            transform.ProxyRequest.Headers.TryAddWithoutValidation("X-User-Id", subject);
        }

        return ValueTask.CompletedTask;
    }));
}

var app = builder.Build();
if (authority is not null)
{
    app.UseAuthentication();
    app.UseAuthorization();
}

app.MapReverseProxy();
app.Run();
