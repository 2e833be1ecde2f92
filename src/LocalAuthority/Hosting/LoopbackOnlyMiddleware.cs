using System.Net;
using Microsoft.Extensions.Options;

namespace LocalAuthority.Hosting;

/// <summary>A development authority must not be reachable from the network unless someone says so.</summary>
public sealed class LoopbackOnlyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly bool _allowRemote;

    public LoopbackOnlyMiddleware(RequestDelegate next, IOptions<LocalAuthorityOptions> options)
    {
        _next = next;
        _allowRemote = options.Value.AllowRemote;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (_allowRemote || remote is null || IPAddress.IsLoopback(remote))
        {
            return _next(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(new { error = "access_denied", error_description = "The local authority answers loopback callers only (LocalAuthority:AllowRemote)." });
    }
}
