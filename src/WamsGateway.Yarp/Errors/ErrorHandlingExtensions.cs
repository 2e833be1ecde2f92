using Microsoft.AspNetCore.Diagnostics;

namespace WamsGateway.Errors;

internal static class ErrorHandlingExtensions
{
    /// <summary>Marks a request the route's <c>TimeoutPolicy</c> ended while YARP was forwarding it (its problem type is <c>timeout</c>).</summary>
    private static readonly object TimedOutKey = new();

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
                context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
                ProblemResponses.AddTraceId(context.ProblemDetails, context.HttpContext);
                if (context.HttpContext.Items.ContainsKey(TimedOutKey))
                {
                    // The route's TimeoutPolicy passed while the backend was still answering.
                    context.ProblemDetails.Type = "timeout";
                    context.ProblemDetails.Title = TrafficPolicy.TrafficPolicyExtensions.TimeoutTitle;
                }

                host?.Invoke(context);
            };
        });
        return services;
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

            if (context.Features.Get<Yarp.ReverseProxy.Forwarder.IForwarderErrorFeature>() is not { } error)
            {
                return;
            }

            // YARP reads the request-timeout middleware's cancellation as the client going away (400, whether it
            // was sending the request, its body or waiting for the answer): it is the route's TimeoutPolicy, 504.
            if (TimedOut(context) && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                context.Items[TimedOutKey] = true;
            }

            if (statusCodePages is not null)
            {
                statusCodePages.Enabled = true;
            }
        });

    /// <summary>The route's <c>TimeoutPolicy</c> (ASP.NET Core's request-timeout middleware) has passed.</summary>
    private static bool TimedOut(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
}
