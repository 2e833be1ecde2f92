using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using WamsGateway.Errors;
using WamsGateway.Observability;

namespace WamsGateway.Authentication;

/// <summary>
/// Shapes JwtBearer's outcomes into the contract: one synchronous JWKS refresh when a token names
/// an unknown key, RFC 6750 challenges with a problem+json body, and 503 while the authority's
/// keys cannot be read.
/// </summary>
internal sealed partial class GatewayJwtBearerEvents : JwtBearerEvents
{
    internal const int MaxDescriptionLength = 200;

    private const string TokenDateReason = "invalid_date";

    private static readonly object AuthorityDownKey = new();
    private static readonly object InvalidRequestKey = new();

    private readonly AuthorityMetadata _metadata;
    private readonly GatewayMeter _meter;
    private readonly ApiCatalog _catalog;
    private readonly ILogger<GatewayJwtBearerEvents> _logger;

    public GatewayJwtBearerEvents(AuthorityMetadata metadata, GatewayMeter meter, ApiCatalog catalog, ILogger<GatewayJwtBearerEvents> logger)
    {
        _metadata = metadata;
        _meter = meter;
        _catalog = catalog;
        _logger = logger;
    }

    /// <summary>
    /// On a route whose API names a <c>TokenHeader</c> (<c>X-ZUMO-AUTH</c> for Mobile Services apps), a request
    /// without <c>Authorization</c> may carry the caller's token there instead; it is validated exactly as a
    /// bearer token. Both at once, or the header twice, is 400 <c>invalid_request</c> (RFC 6750 allows one
    /// method per request). On every other route that header is never read as a token.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        if (_catalog.ForRequest(context.HttpContext).Api?.Options.TokenHeader is not { } header
            || !context.Request.Headers.TryGetValue(header, out var values))
        {
            return Task.CompletedTask;
        }

        // Two copies arrive as two values or as one joined by a comma (a JWT has none).
        if (context.Request.Headers.ContainsKey(HeaderNames.Authorization) || values.Count != 1 || string.IsNullOrWhiteSpace(values[0])
            || values[0]!.Contains(',', StringComparison.Ordinal))
        {
            context.HttpContext.Items[InvalidRequestKey] = header;
            Reject("invalid_request");
            context.Fail($"Send the token once: in Authorization or in {header}, not both.");
            return Task.CompletedTask;
        }

        context.Token = values[0]!.Trim();
        context.HttpContext.Features.Set(new TokenHeaderFeature(header, context.Token));
        return Task.CompletedTask;
    }

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        if (context.Exception is AuthorityUnavailableException)
        {
            context.HttpContext.Items[AuthorityDownKey] = true;
            context.Fail(context.Exception);
            return;
        }

        // JwtBearer has already called RequestRefresh; when it was granted, validate once more
        // against the fresh keys so a rotation costs no failed request.
        if (Contains<SecurityTokenSignatureKeyNotFoundException>(context.Exception) && _metadata.RefreshRequested)
        {
            var principal = await ValidateWithFreshKeysAsync(context);
            if (principal is not null && !NumericDate.AreUsable(principal))
            {
                context.Fail(new TokenDateException());
                Reject(TokenDateReason);
                return;
            }

            if (principal is not null)
            {
                Log.AcceptedAfterKeyRefresh(_logger);
                context.Principal = principal;
                context.Success();
                return;
            }
        }

        Reject(AuthFailureReason.From(context.Exception));
    }

    /// <summary>
    /// The signature, issuer, audience and lifetime are good; the dates must also be ones the gateway
    /// can compute with, or the token is as invalid as an expired one (401, never a 500 further on).
    /// </summary>
    public override Task TokenValidated(TokenValidatedContext context)
    {
        if (context.Principal is { } principal && !NumericDate.AreUsable(principal))
        {
            context.Fail(new TokenDateException());
            Reject(TokenDateReason);
        }

        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        if (http.Items.ContainsKey(AuthorityDownKey))
        {
            http.Response.Headers.RetryAfter = "5";
            return ProblemResponses.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "authority_unavailable",
                "The identity provider's signing keys cannot be read", "Tokens cannot be validated right now; try again shortly.");
        }

        if (http.Items.TryGetValue(InvalidRequestKey, out var header))
        {
            var detail = $"Send the access token once per request, not empty: as 'Authorization: Bearer <token>' or in {header}, not both, and not twice.";
            http.Response.Headers.Append(HeaderNames.WWWAuthenticate, BuildChallenge("invalid_request", detail));
            return ProblemResponses.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request", "The request does not carry exactly one token", detail);
        }

        // JwtBearer's description quotes the token's own iss and aud: token content, made safe here.
        var description = context.AuthenticateFailure is TokenDateException
            ? TokenDateException.Description
            : string.IsNullOrEmpty(context.ErrorDescription) ? null : SafeDescription(context.ErrorDescription);
        http.Response.Headers.Append(HeaderNames.WWWAuthenticate, BuildChallenge(context.Error, description));
        return string.IsNullOrEmpty(context.Error)
            ? ProblemResponses.WriteAsync(http, StatusCodes.Status401Unauthorized, "missing_token", "Authentication required", "Send an access token as 'Authorization: Bearer <token>'.")
            : ProblemResponses.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_token", "The access token is not valid", description);
    }

    public override Task Forbidden(ForbiddenContext context) =>
        ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Access denied", "The route's authorization policy refused this caller.");

    /// <summary>RFC 6750 section 3: no error code when no bearer token was sent.</summary>
    internal static string BuildChallenge(string? error, string? description)
    {
        if (string.IsNullOrEmpty(error))
        {
            return "Bearer";
        }

        var challenge = $"Bearer error=\"{error}\"";
        return string.IsNullOrEmpty(description) ? challenge : $"{challenge}, error_description=\"{SafeDescription(description)}\"";
    }

    /// <summary>
    /// RFC 6750 section 3: error_description is printable ASCII without <c>"</c> or <c>\</c>. Anything else
    /// becomes <c>?</c> (quotes and backslashes <c>'</c>), and the text is cut at <see cref="MaxDescriptionLength"/>.
    /// </summary>
    internal static string SafeDescription(string description)
    {
        var length = Math.Min(description.Length, MaxDescriptionLength);
        return string.Create(length, description, static (span, text) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = text[i];
                span[i] = c is '"' or '\\' ? '\'' : c is < ' ' or > '~' ? '?' : c;
            }

            if (text.Length > span.Length)
            {
                span[^3..].Fill('.');
            }
        });
    }

    private async Task<ClaimsPrincipal?> ValidateWithFreshKeysAsync(AuthenticationFailedContext context)
    {
        if (BearerToken.Of(context.HttpContext) is not { } token)
        {
            return null;
        }

        var configuration = await _metadata.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var parameters = context.Options.TokenValidationParameters.Clone();
        parameters.ValidIssuers = (parameters.ValidIssuers ?? []).Append(configuration.Issuer).ToArray();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        foreach (var handler in context.Options.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid)
            {
                return new ClaimsPrincipal(result.ClaimsIdentity);
            }
        }

        return null;
    }

    private void Reject(string reason)
    {
        _meter.AuthFailure(reason);
        Log.TokenRejected(_logger, reason);
    }

    private static bool Contains<T>(Exception exception) where T : Exception =>
        exception is T || (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(e => e is T));

    private static partial class Log
    {
        [LoggerMessage(110, LogLevel.Information, "Rejected a bearer token: {Reason}.")]
        public static partial void TokenRejected(ILogger logger, string reason);

        [LoggerMessage(111, LogLevel.Information, "A token signed with a new key was accepted after refreshing the authority's keys.")]
        public static partial void AcceptedAfterKeyRefresh(ILogger logger);
    }
}
