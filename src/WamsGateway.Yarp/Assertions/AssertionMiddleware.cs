using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Errors;

namespace WamsGateway.Assertions;

/// <summary>What the request's transform puts on: the unbound assertion, or the keys to sign a bound one with.</summary>
internal sealed record AssertionFeature(AssertionKeySet Keys, string? Unbound);

/// <summary>
/// In YARP's proxy pipeline, after the exchange: for an API with an <c>Assertion</c>, makes sure this
/// period's signing key is at hand (503 <c>assertion_unavailable</c> when the key store cannot be
/// reached and no key is loaded) and, unless the assertion is bound to the request, takes it from the
/// reuse cache or signs it. A bound one is signed by the request transform, which knows the URL.
/// </summary>
internal sealed partial class AssertionMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;
    private readonly AssertionKeyRing? _ring;
    private readonly AssertionIssuer? _issuer;
    private readonly ILogger<AssertionMiddleware> _logger;
    private int _saidNotConfigured;

    public AssertionMiddleware(RequestDelegate next, ApiCatalog catalog, IServiceProvider services, ILogger<AssertionMiddleware> logger)
    {
        _next = next;
        _catalog = catalog;
        _ring = AssertionExtensions.IsEnabled(services) ? services.GetRequiredService<AssertionKeyRing>() : null;
        _issuer = AssertionExtensions.IsEnabled(services) ? services.GetRequiredService<AssertionIssuer>() : null;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var api = _catalog.ForRequest(context).Api;
        if (api?.Options.Assertion is not { } settings)
        {
            return _next(context);
        }

        if (_ring is null || _issuer is null)
        {
            if (Interlocked.Exchange(ref _saidNotConfigured, 1) == 0)
            {
                Log.NotConfigured(_logger, api.Name);
            }

            return Unavailable(context, api.Name, "Gateway:Assertion:Issuer was not set when the gateway started.");
        }

        if (string.IsNullOrWhiteSpace(context.User.FindFirst("sub")?.Value))
        {
            return ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "subject_missing",
                "The token names no subject", $"API '{api.Name}' gives its backend a signed assertion of the caller, which needs the token's sub claim.");
        }

        var keys = _ring.GetAsync(context.RequestAborted);
        return keys.IsCompletedSuccessfully
            ? Continue(context, api.Name, settings, keys.Result)
            : LoadThenContinueAsync(context, api.Name, settings, keys);
    }

    private async Task LoadThenContinueAsync(HttpContext context, string api, ApiAssertionSettings settings, ValueTask<AssertionKeySet> loading)
    {
        AssertionKeySet keys;
        try
        {
            keys = await loading;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            Log.KeysUnavailable(_logger, api, ex.GetType().Name, ex.Message);
            await Unavailable(context, api, "The gateway's signing keys could not be loaded; try again later.");
            return;
        }

        await Continue(context, api, settings, keys);
    }

    private Task Continue(HttpContext context, string api, ApiAssertionSettings settings, AssertionKeySet keys)
    {
        var unbound = settings.BindRequest ? null : _issuer!.Unbound(keys, api, settings, context.User, CallerClaims.Facts(context), BearerToken.Of(context)!);
        context.Features.Set(new AssertionFeature(keys, unbound));
        return _next(context);
    }

    private static Task Unavailable(HttpContext context, string api, string why)
    {
        context.Response.Headers.RetryAfter = "5";
        return ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "assertion_unavailable",
            "The caller's assertion cannot be signed", $"API '{api}' needs a signed assertion of the caller. {why}");
    }

    private static partial class Log
    {
        [LoggerMessage(620, LogLevel.Error, "API {Api} asks for assertions, but Gateway:Assertion:Issuer was not set at start (it is read at start only); answering 503 on such APIs until a restart. Said once.")]
        public static partial void NotConfigured(ILogger logger, string api);

        [LoggerMessage(621, LogLevel.Error, "The assertion signing keys for API {Api} could not be loaded ({Error}: {Reason}); answering 503.")]
        public static partial void KeysUnavailable(ILogger logger, string api, string error, string reason);
    }
}
