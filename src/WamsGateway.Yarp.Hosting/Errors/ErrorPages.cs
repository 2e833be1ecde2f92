using Microsoft.AspNetCore.Diagnostics;

namespace WamsGateway.Errors;

internal static class ErrorPages
{
    /// <summary>Unhandled exceptions and bodiless 4xx/5xx of the host's own become problem+json.</summary>
    public static WebApplication UseGatewayErrorPages(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A request the server refused to read (too large, malformed) keeps its 4xx; anything else is 500.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
