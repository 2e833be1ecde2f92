using WamsGateway.Errors;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The standalone gateway's error pages, for a host that has none of its own.</summary>
public static class WamsGatewayErrorPageExtensions
{
    /// <summary>
    /// An unhandled exception, and a body-less 4xx or 5xx of the host's own, become <c>application/problem+json</c>
    /// with a <c>traceId</c> and never a stack trace; a backend's own answers pass through untouched.
    /// </summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseGatewayErrorPages();
    }
}
