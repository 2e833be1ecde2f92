using Microsoft.Extensions.Options;
using WamsGateway.Management;
using WamsGateway.State;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The gateway's own dashboard on the management listener.</summary>
public static class WamsGatewayDashboardExtensions
{
    /// <summary>
    /// <c>GET /dashboard/</c> (one page, its script and style served from this assembly, under
    /// <c>Content-Security-Policy: default-src 'self'</c>) and <c>GET /dashboard/api/state</c> (the JSON it reads,
    /// <see cref="WamsGatewayState"/>), anonymous, on the management listener only. Without a management listener
    /// (<c>Gateway:Management:Urls</c>) nothing is mapped: the proxy's listener never serves the dashboard.
    /// </summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication MapWamsGatewayDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value.Enabled)
        {
            return app;
        }

        app.Services.GetRequiredService<WamsGatewayState>().CountFromNow();
        var group = app.MapGroup("/dashboard").AllowAnonymous().OnManagementListener();
        // "/dashboard" and "/dashboard/" are one route; the page's relative URLs need the slash.
        group.MapGet("/", (HttpContext context) => context.Request.Path.Value?.EndsWith('/') == true
            ? WamsGateway.Dashboard.DashboardAssets.Serve("index.html")
            : Results.Redirect(context.Request.PathBase + context.Request.Path + "/"));
        group.MapGet("/app.js", () => WamsGateway.Dashboard.DashboardAssets.Serve("app.js"));
        group.MapGet("/app.css", () => WamsGateway.Dashboard.DashboardAssets.Serve("app.css"));
        group.MapGet("/api/state", (HttpContext context, WamsGatewayState state) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Text(state.Snapshot().ToJsonString(), "application/json");
        });
        group.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return await next(context);
        });
        return app;
    }
}
