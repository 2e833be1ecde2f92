namespace LocalAuthority.Tokens;

/// <summary>How the exchange endpoints (delegation, token exchange) misbehave, for demos and tests.</summary>
public enum FailureMode
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>403 access_denied.</summary>
    Refuse,

    /// <summary>503 temporarily_unavailable with Retry-After: 7.</summary>
    Unavailable,

    /// <summary>500 server_error, with no hint of when to come back.</summary>
    ServerError,

    /// <summary>429 with Auth0's X-RateLimit-* headers, resetting in 30 seconds.</summary>
    RateLimited,

    /// <summary>Answer after 10 seconds.</summary>
    Slow,

    /// <summary>200 with an HTML body.</summary>
    Garbage,
}

/// <summary>The switch (<c>POST /admin/failure-mode/{mode}</c>) and the count of exchanges served (<c>GET /admin/stats</c>).</summary>
public sealed class ExchangeControl
{
    private int _delegations;
    private int _tokenExchanges;
    private int _sts;

    public FailureMode Mode { get; set; }

    /// <summary>When set, STS answers with this error code (InvalidIdentityToken, IDPCommunicationError, ...).</summary>
    public string? StsError { get; set; }

    public int StsCalls => Volatile.Read(ref _sts);

    public void CountSts() => Interlocked.Increment(ref _sts);

    public int Delegations => Volatile.Read(ref _delegations);

    public int TokenExchanges => Volatile.Read(ref _tokenExchanges);

    public void CountDelegation() => Interlocked.Increment(ref _delegations);

    public void CountTokenExchange() => Interlocked.Increment(ref _tokenExchanges);

    /// <summary>The misbehaviour to answer with instead of a token, or null to answer normally.</summary>
    public async Task<IResult?> MisbehaveAsync(HttpContext context, TimeProvider time)
    {
        switch (Mode)
        {
            case FailureMode.Refuse:
                return OAuthErrors.Error("access_denied", "The exchange is refused (failure mode).", StatusCodes.Status403Forbidden);
            case FailureMode.Unavailable:
                context.Response.Headers.RetryAfter = "7";
                return OAuthErrors.Error("temporarily_unavailable", "Try again later (failure mode).", StatusCodes.Status503ServiceUnavailable);
            case FailureMode.ServerError:
                return OAuthErrors.Error("server_error", "Something broke (failure mode).", StatusCodes.Status500InternalServerError);
            case FailureMode.RateLimited:
                context.Response.Headers["X-RateLimit-Limit"] = "10";
                context.Response.Headers["X-RateLimit-Remaining"] = "0";
                context.Response.Headers["X-RateLimit-Reset"] = time.GetUtcNow().AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                return OAuthErrors.Error("too_many_requests", "Rate limit exceeded (failure mode).", StatusCodes.Status429TooManyRequests);
            case FailureMode.Slow:
                await Task.Delay(TimeSpan.FromSeconds(10), time, context.RequestAborted);
                return null;
            case FailureMode.Garbage:
                return Results.Content("<html><body>Something went wrong</body></html>", "text/html", statusCode: StatusCodes.Status200OK);
            default:
                return null;
        }
    }

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/failure-mode/{mode}", (string mode, ExchangeControl control) =>
        {
            if (!Enum.TryParse<FailureMode>(mode, ignoreCase: true, out var parsed))
            {
                return OAuthErrors.Error("invalid_request", $"Unknown failure mode '{mode}'; use one of {string.Join(", ", Enum.GetNames<FailureMode>())}.");
            }

            control.Mode = parsed;
            return Results.Json(new { mode = parsed.ToString() });
        });
        endpoints.MapPost("/admin/sts-error/{code}", (string code, ExchangeControl control) =>
        {
            control.StsError = code.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : code;
            return Results.Json(new { stsError = control.StsError });
        });
        endpoints.MapGet("/admin/stats", (ExchangeControl control) => Results.Json(new
        {
            mode = control.Mode.ToString(),
            stsError = control.StsError,
            delegations = control.Delegations,
            tokenExchanges = control.TokenExchanges,
            sts = control.StsCalls,
        }));
    }
}
