using Microsoft.AspNetCore.Diagnostics;

namespace WamsGateway.Errors;

internal static class ErrorHandlingExtensions
{
    /// <summary>
    /// Problem details for every error answer: the gateway's part runs first, then whatever the host
    /// customises (its <c>CustomizeProblemDetails</c> is kept, not replaced).
    /// </summary>
    public static IServiceCollection AddGatewayErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var host = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                // Never a stack trace or exception text in an answer, whatever the environment.
                context.ProblemDetails.Detail = context.Exception is null ? context.ProblemDetails.Detail : "The gateway failed to handle the request.";
                context.ProblemDetails.Extensions.Remove("exception");
                ProblemResponses.AddTraceId(context.ProblemDetails, context.HttpContext);
                host?.Invoke(context);
            };
        });
        return services;
    }

    /// <summary>Unhandled exceptions and bodiless 4xx/5xx of the gateway's own become problem+json.</summary>
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A request the server refused to read (too large, malformed) keeps its 4xx; anything else is 500.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// A backend's own answer passes through untouched; only a response YARP produced itself
    /// (destination unreachable, timeout) gets a problem body.
    /// </summary>
    public static void UseBackendResponsesAsIs(this IReverseProxyApplicationBuilder proxy) =>
        proxy.Use(async (context, next) =>
        {
            var statusCodePages = context.Features.Get<IStatusCodePagesFeature>();
            if (statusCodePages is not null)
            {
                statusCodePages.Enabled = false;
            }

            await next();

            if (statusCodePages is not null && context.Features.Get<Yarp.ReverseProxy.Forwarder.IForwarderErrorFeature>() is not null)
            {
                statusCodePages.Enabled = true;
            }
        });
}
