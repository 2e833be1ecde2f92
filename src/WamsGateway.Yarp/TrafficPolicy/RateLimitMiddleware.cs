using System.Threading.RateLimiting;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// In the gateway's proxy pipeline, after the caller is known (the gateway's validated token) and before any
/// exchange: the route's <c>RateLimiterPolicy</c>, then its API's <c>RateLimit</c>. Over either, 429 and nothing
/// further runs. Leases are held until the request ends, so a Concurrency limit counts requests in flight.
/// </summary>
internal sealed class RateLimitMiddleware
{
    private readonly RequestDelegate _next;
    private readonly GatewayRateLimiters _limiters;
    private readonly ApiCatalog _catalog;
    private readonly GatewayMeter _meter;

    public RateLimitMiddleware(RequestDelegate next, GatewayRateLimiters limiters, ApiCatalog catalog, GatewayMeter meter)
    {
        _next = next;
        _limiters = limiters;
        _catalog = catalog;
        _meter = meter;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var route = _limiters.Find(context.GetReverseProxyFeature().Route.Config.RateLimiterPolicy);
        var api = _limiters.Find(_catalog.ForRequest(context).Api?.Options.RateLimit);
        return route is null && api is null ? _next(context) : LimitAsync(context, route, api);
    }

    private async Task LimitAsync(HttpContext context, GatewayRateLimiter? route, GatewayRateLimiter? api)
    {
        using var first = route is null ? null : await AcquireAsync(context, route);
        if (first is { IsAcquired: false })
        {
            await new RateLimitRefusal(route!, first).WriteAsync(context, _meter);
            return;
        }

        using var second = api is null || api == route ? null : await AcquireAsync(context, api);
        if (second is { IsAcquired: false })
        {
            await new RateLimitRefusal(api!, second).WriteAsync(context, _meter);
            return;
        }

        await _next(context);
    }

    private static ValueTask<RateLimitLease> AcquireAsync(HttpContext context, GatewayRateLimiter limiter) =>
        limiter.AcquireAsync(
            RateLimitPartitionKey.For(limiter.Settings.PartitionBy, context.User, context.Features.Get<CallerToken>()?.Authority?.Name, context.Connection.RemoteIpAddress?.ToString()),
            context.RequestAborted);
}
