namespace Microsoft.AspNetCore.Builder;

/// <summary>The routes' CORS and timeout policies, for any host.</summary>
public static class WamsGatewayTrafficPolicyExtensions
{
    /// <summary>
    /// The routes' <c>CorsPolicy</c> and <c>TimeoutPolicy</c> (<c>Gateway:Cors</c>, <c>Gateway:Timeouts</c>): ASP.NET Core's CORS
    /// middleware, which answers preflight requests itself (no token needed, never proxied), and its request-timeout
    /// middleware (over the policy's time, 504 problem+json type <c>timeout</c>); every answer on a CORS route, preflights
    /// included, says <c>Vary: Origin</c>. Call it after routing and before
    /// <c>UseAuthentication()</c>. Rate limits need nothing here: the gateway's proxy pipeline counts them.
    /// </summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayTrafficPolicies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Before the CORS middleware, which answers preflights itself: those say Vary: Origin too.
        app.Use(WamsGateway.TrafficPolicy.VaryByOrigin.InvokeAsync);
        app.UseCors();
        app.UseRequestTimeouts();
        return app;
    }
}
