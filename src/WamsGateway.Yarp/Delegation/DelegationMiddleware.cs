using System.Globalization;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Errors;
using WamsGateway.Exchanges;
using WamsGateway.Observability;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Delegation;

/// <summary>
/// In YARP's proxy pipeline, after the API's policy: lets the API's exchange kind prepare the request
/// (AwsSts hashes the body), then obtains the route's delegated credential (through the cache) or answers
/// the failure as docs/http-behaviour.md maps it. The request is never forwarded without its credential.
/// </summary>
internal sealed partial class DelegationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;
    private readonly DelegationCache _cache;
    private readonly GatewayMeter _meter;
    private readonly ILogger<DelegationMiddleware> _logger;
    private readonly TimeSpan _defaultRetryAfter;

    public DelegationMiddleware(RequestDelegate next, ApiCatalog catalog, DelegationCache cache, GatewayMeter meter, IOptions<WamsGatewayOptions> options, ILogger<DelegationMiddleware> logger)
    {
        _meter = meter;
        _next = next;
        _defaultRetryAfter = options.Value.Delegation.DefaultRetryAfter;
        _catalog = catalog;
        _cache = cache;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var api = _catalog.ForRequest(context).Api;
        if (api is null || !api.Kind.ExchangesCredential)
        {
            return _next(context);
        }

        // A cached credential is there synchronously: then no state machine is allocated for this step.
        var ready = ObtainCredentialAsync(context, api);
        if (ready.IsCompletedSuccessfully)
        {
            return ready.Result ? _next(context) : Task.CompletedTask;
        }

        return ContinueAsync(ready, context);
    }

    private async Task ContinueAsync(ValueTask<bool> ready, HttpContext context)
    {
        if (await ready)
        {
            await _next(context);
        }
    }

    /// <summary>The credential on the request's features, or the failure answered (false).</summary>
    private async ValueTask<bool> ObtainCredentialAsync(HttpContext context, ApiDefinition api)
    {
        if (!await api.Kind.PrepareAsync(context, api))
        {
            return false;
        }

        var caller = context.Features.Get<CallerToken>();
        var request = new DelegationRequest(api, SubjectToken(context), context.User, caller?.Validated?.SubjectExpiresAt ?? SubjectExpiry(context), caller?.Authority,
            api.Options.ExchangeRateLimit is null ? null : context.Connection.RemoteIpAddress?.ToString(), caller?.Validated?.OwnerHash);
        DelegatedCredential credential;
        try
        {
            credential = await _cache.GetAsync(request, context.RequestAborted);
        }
        catch (DelegationException ex)
        {
            Log.ExchangeFailed(_logger, api.Name, api.KindName, ex.Failure.ToString(), ex.ProviderError ?? "-", ex.Message);
            await WriteFailureAsync(context, api, ex, _defaultRetryAfter);
            return false;
        }
        catch (ExchangeRateLimitedException ex)
        {
            Log.ExchangeRateLimited(_logger, api.Name, ex.Refusal.Limiter.Name);
            await ex.Refusal.WriteAsync(context, _meter);
            return false;
        }

        context.Features.Set(new DelegatedCredentialFeature(credential));
        return true;
    }

    // Authentication succeeded on this token (Authorization, or the API's TokenHeader).
    private static string SubjectToken(HttpContext context) => BearerToken.Of(context)!;

    // Authentication admits only a usable exp (NumericDate); the epoch is a safe floor all the same.
    private static DateTimeOffset SubjectExpiry(HttpContext context) =>
        NumericDate.TryParse(context.User.FindFirst("exp")?.Value, out var exp) ? exp : DateTimeOffset.UnixEpoch;

    private static Task WriteFailureAsync(HttpContext context, ApiDefinition api, DelegationException ex, TimeSpan defaultRetryAfter)
    {
        switch (ex.Failure)
        {
            case DelegationFailure.Denied:
                return ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "delegation_denied",
                    "The identity provider refused the exchange", $"No credential for API '{api.Name}' could be obtained for this caller.",
                    [new("error", ex.ProviderError)]);
            case DelegationFailure.Unavailable:
                var retryAfter = ex.RetryAfter ?? defaultRetryAfter;
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "delegation_unavailable",
                    "The identity provider is unavailable", $"No credential for API '{api.Name}' could be obtained right now; try again later.");
            default:
                return ProblemResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "delegation_invalid_response",
                    "The identity provider's answer could not be used", $"No credential for API '{api.Name}' could be read from the provider's answer.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Information, "Exchange for API {Api} refused by rate limit {Policy}; the provider was not called.")]
        public static partial void ExchangeRateLimited(ILogger logger, string api, string policy);

        [LoggerMessage(200, LogLevel.Warning, "Exchange for API {Api} ({Kind}) failed: {Failure}, provider error {ProviderError}. {Reason}")]
        public static partial void ExchangeFailed(ILogger logger, string api, string kind, string failure, string providerError, string reason);
    }
}
