using System.Globalization;
using System.Threading.RateLimiting;
using WamsGateway.Errors;
using WamsGateway.Observability;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// The answer to a request over a limit: 429 problem+json type <c>rate_limited</c>, <c>Retry-After</c>, and the
/// IETF httpapi draft's <c>RateLimit-Policy</c> (<c>"name";q=100;w=60</c>) and <c>RateLimit</c> (<c>"name";r=0;t=17</c>).
/// </summary>
internal sealed class RateLimitRefusal
{
    public RateLimitRefusal(GatewayRateLimiter limiter, RateLimitLease lease)
    {
        Limiter = limiter;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : limiter.Settings.ResetInterval;
        RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
    }

    public GatewayRateLimiter Limiter { get; }

    public int RetryAfterSeconds { get; }

    public Task WriteAsync(HttpContext context, GatewayMeter meter)
    {
        var settings = Limiter.Settings;
        var name = Limiter.Name;
        meter.RateLimited(name);
        var headers = context.Response.Headers;
        var seconds = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        headers.RetryAfter = seconds;
        var window = settings.Algorithm == RateLimitAlgorithm.Concurrency
            ? string.Empty
            : ";w=" + Math.Max(1, (int)Math.Ceiling(settings.ResetInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"\"{name}\";q={settings.PermitLimit.ToString(CultureInfo.InvariantCulture)}{window}";
        headers["RateLimit"] = $"\"{name}\";r=0;t={seconds}";
        var per = settings.Algorithm == RateLimitAlgorithm.Concurrency ? "at once" : $"per {settings.ResetInterval.ToString("c", CultureInfo.InvariantCulture)}";
        return ProblemResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
            $"Rate limit '{name}' allows {settings.PermitLimit} request(s) {per} for each {Describe(settings.PartitionBy)}; try again in {seconds} s.");
    }

    private static string Describe(RateLimitPartitionBy by) => by switch
    {
        RateLimitPartitionBy.Client => "client application",
        RateLimitPartitionBy.UserAndClient => "user of each client application",
        RateLimitPartitionBy.IpAddress => "address",
        _ => "user",
    };
}
