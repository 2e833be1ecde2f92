using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace WamsGateway.Errors;

/// <summary>
/// Writes the gateway's own error answers: <c>application/problem+json</c> with a <c>traceId</c>, through
/// the host's <see cref="IProblemDetailsService"/> so its <c>CustomizeProblemDetails</c> applies to them too.
/// </summary>
internal static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, int status, string type, string title, string? detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = type,
            Title = title,
            Detail = detail,
            Instance = context.Request.Path,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        AddTraceId(problem, context);
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetService<IProblemDetailsService>();
        if (service is null || !await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            // No writer for what the caller accepts (Accept: text/html): the answer is problem+json all the same.
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: ContentType, context.RequestAborted);
        }
    }

    /// <summary>The W3C trace id when a trace is running, so an operator can find the request in traces and logs.</summary>
    public static void AddTraceId(ProblemDetails problem, HttpContext context) =>
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
}
