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
    private const string TokenDateReason = "invalid_date";

    /// <summary>The metric label when no configured authority is the token's.</summary>
    private const string NoAuthority = "none";

    private static readonly object AuthorityDownKey = new();
    private static readonly object InvalidRequestKey = new();

    private readonly GatewayAuthorities _authorities;
    private readonly GatewayMeter _meter;
    private readonly ApiCatalog _catalog;
    private readonly RefusalLog _refusals;
    private readonly ILogger<GatewayJwtBearerEvents> _logger;

    public GatewayJwtBearerEvents(GatewayAuthorities authorities, GatewayMeter meter, ApiCatalog catalog, RefusalLog refusals, ILogger<GatewayJwtBearerEvents> logger)
    {
        _authorities = authorities;
        _meter = meter;
        _catalog = catalog;
        _refusals = refusals;
        _logger = logger;
    }

    /// <summary>
    /// Hands JwtBearer the request's token (<see cref="CallerToken"/>): from <c>Authorization</c>, or on a route whose
    /// API names a <c>TokenHeader</c> (<c>X-ZUMO-AUTH</c> for Mobile Services apps) from that header, validated exactly
    /// as a bearer token. Both at once, or the header twice, is 400 <c>invalid_request</c> (RFC 6750 allows one method
    /// per request). A token whose <c>iss</c> names no configured authority, or another authority than this scheme's,
    /// is refused here: no key is fetched and no signature checked for it.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var caller = CallerToken.For(context.HttpContext, _catalog, _authorities);
        if (caller.InvalidRequestHeader is { } header)
        {
            context.HttpContext.Items[InvalidRequestKey] = header;
            Reject("invalid_request", NoAuthority);
            context.Fail($"Send the token once: in Authorization or in {header}, not both.");
            return Task.CompletedTask;
        }

        if (caller.Token is not { } token)
        {
            return Task.CompletedTask;
        }

        if (!caller.Readable)
        {
            Reject("malformed", NoAuthority);
            context.Fail(new SecurityTokenMalformedException("The token is not a JWS compact serialization with a JSON payload."));
            return Task.CompletedTask;
        }

        // Shapes parsers disagree on, refused before any key is fetched: a member named twice, a date that is not a number,
        // a sub that is not one non-empty string.
        if (caller.Refusal is { } refusal)
        {
            Reject(refusal, caller.Authority?.Name ?? NoAuthority);
            context.Fail(refusal == TokenPayload.InvalidDate ? new TokenDateException() : new TokenPayloadException(TokenPayload.Describe(refusal)));
            return Task.CompletedTask;
        }

        if (caller.Authority?.SchemeName != context.Scheme.Name)
        {
            Reject("invalid_issuer", NoAuthority);
            context.Fail(new SecurityTokenInvalidIssuerException(caller.Issuer is null ? "The token names no single issuer." : "The token's issuer is not a configured authority.")
            {
                InvalidIssuer = caller.Issuer ?? "(none)",
            });
            return Task.CompletedTask;
        }

        context.Token = token;
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
        var authority = _authorities.ForScheme(context.Scheme.Name)!;
        if (Contains<SecurityTokenSignatureKeyNotFoundException>(context.Exception) && authority.Metadata.RefreshRequested)
        {
            var principal = await ValidateWithFreshKeysAsync(context, authority.Metadata);
            if (principal is not null && !NumericDate.AreUsable(principal))
            {
                context.Fail(new TokenDateException());
                Reject(TokenDateReason, authority.Name);
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

        Reject(AuthFailureReason.From(context.Exception), authority.Name);
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
            Reject(TokenDateReason, _authorities.ForScheme(context.Scheme.Name)?.Name ?? NoAuthority);
        }

        return Task.CompletedTask;
    }

    /// <summary>The challenge's description for a token none of whose audiences the authority's <c>Audiences</c> list.</summary>
    public const string InvalidAudienceDescription = "The token's audience (aud) is not one this gateway accepts";

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
            http.Response.Headers.Append(HeaderNames.WWWAuthenticate, BearerChallenge.Build("invalid_request", detail));
            return ProblemResponses.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request", "The request does not carry exactly one token", detail);
        }

        // JwtBearer's description quotes the token's own iss and aud: token content, made safe here.
        var description = context.AuthenticateFailure switch
        {
            TokenDateException => TokenDateException.Description,
            TokenPayloadException refused => refused.Message,

            // JwtBearer would quote the token's aud ('(null)' or 'empty' when IdentityModel leaves it out): the gateway's own words instead.
            { } failure when Find<SecurityTokenInvalidAudienceException>(failure) is not null => InvalidAudienceDescription,
            _ => string.IsNullOrEmpty(context.ErrorDescription) ? null : BearerChallenge.SafeDescription(context.ErrorDescription),
        };
        http.Response.Headers.Append(HeaderNames.WWWAuthenticate, BearerChallenge.Build(context.Error, description));
        return string.IsNullOrEmpty(context.Error)
            ? ProblemResponses.WriteAsync(http, StatusCodes.Status401Unauthorized, "missing_token", "Authentication required", "Send an access token as 'Authorization: Bearer <token>'.")
            : ProblemResponses.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_token", "The access token is not valid", description);
    }

    public override Task Forbidden(ForbiddenContext context) =>
        ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Access denied", "The route's authorization policy refused this caller.");

    private static async Task<ClaimsPrincipal?> ValidateWithFreshKeysAsync(AuthenticationFailedContext context, AuthorityMetadata metadata)
    {
        if (BearerToken.Of(context.HttpContext) is not { } token)
        {
            return null;
        }

        var configuration = await metadata.GetConfigurationAsync(context.HttpContext.RequestAborted);
        // The configured issuers only (MessageReceived already matched the token's to one of them): what the
        // discovery document says never adds an issuer.
        var parameters = context.Options.TokenValidationParameters.Clone();
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

    /// <summary>Counted under the configured name of the token's authority, or <see cref="NoAuthority"/>: never its <c>iss</c>.</summary>
    private void Reject(string reason, string authority)
    {
        _meter.AuthFailure(reason, authority);
        _refusals.Count(reason, "authority", authority);
        Log.TokenRejected(_logger, reason, authority);
    }

    private static bool Contains<T>(Exception exception) where T : Exception => Find<T>(exception) is not null;

    private static T? Find<T>(Exception exception) where T : Exception =>
        exception as T ?? (exception as AggregateException)?.InnerExceptions.OfType<T>().FirstOrDefault();

    private static partial class Log
    {
        [LoggerMessage(110, LogLevel.Debug, "Rejected a bearer token: {Reason} (authority {Authority}).")]
        public static partial void TokenRejected(ILogger logger, string reason, string authority);

        [LoggerMessage(111, LogLevel.Information, "A token signed with a new key was accepted after refreshing the authority's keys.")]
        public static partial void AcceptedAfterKeyRefresh(ILogger logger);
    }
}
