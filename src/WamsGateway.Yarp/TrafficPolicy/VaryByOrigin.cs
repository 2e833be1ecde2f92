using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// Every answer on a route with a CORS policy says <c>Vary: Origin</c>, with or without an <c>Origin</c> in the request
/// and whatever the backend sent: ASP.NET Core's CORS middleware adds it only to some answers, and a shared cache that
/// stored one without it would serve it to another origin (with, or without, that origin's CORS headers).
/// </summary>
internal static class VaryByOrigin
{
    private static readonly Func<object, Task> AddVary = static state =>
    {
        var headers = ((HttpResponse)state).Headers;
        if (!Varies(headers.Vary))
        {
            headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }

        return Task.CompletedTask;
    };

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IEnableCorsAttribute>() is not null && metadata.GetMetadata<IDisableCorsAttribute>() is null)
        {
            context.Response.OnStarting(AddVary, context.Response);
        }

        return next(context);
    }

    private static bool Varies(StringValues vary)
    {
        foreach (var value in vary)
        {
            foreach (var token in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
            {
                if (token == "*" || token.Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
