using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Extensions;

namespace SampleBackend.GatewayAssertion;

/// <summary>
/// With <c>SampleBackend:GatewayAuthority</c> and <c>GatewayAudience</c>: every request must carry the
/// gateway's signed assertion in <c>SampleBackend:GatewayAssertionHeader</c>, checked by stock JwtBearer
/// against the gateway's discovery document (issuer, audience, lifetime, signature, <c>typ</c>) and, when
/// the assertion is bound to a request, its <c>htm</c> and <c>htu</c> against this request, and its
/// <c>jti</c> against those already used (a bound assertion serves one request). Else 401.
/// </summary>
public static class GatewayAssertionVerification
{
    public const string Scheme = "GatewayAssertion";
    public const string TokenType = "gateway-assertion+jwt";

    public static void AddGatewayAssertionVerification(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SampleBackendOptions.SectionName).Get<SampleBackendOptions>() ?? new();
        if (options.GatewayAuthority is null)
        {
            return;
        }

        builder.Services.AddSingleton<UsedAssertions>();
        builder.Services.AddAuthentication().AddJwtBearer(Scheme, jwt =>
        {
            jwt.Authority = options.GatewayAuthority;
            jwt.Audience = options.GatewayAudience;
            // Plain http only for a gateway on this machine (the local stack and tests).
            jwt.RequireHttpsMetadata = !Uri.TryCreate(options.GatewayAuthority, UriKind.Absolute, out var authority) || !authority.IsLoopback;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.ValidTypes = [TokenType];
            jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    // The assertion header only: a caller's Authorization is never read as one.
                    var values = context.Request.Headers[options.GatewayAssertionHeader];
                    if (values.Count == 1 && !string.IsNullOrEmpty(values[0]))
                    {
                        context.Token = values[0];
                    }
                    else
                    {
                        context.NoResult();
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    if (BindingProblem(context.Principal!, context.Request) is { } problem)
                    {
                        context.Fail(problem);
                    }
                    else if (context.Principal!.FindFirst("htm") is not null && !FirstUse(context))
                    {
                        context.Fail("This bound assertion was used before.");
                    }

                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>Every request is refused 401 without a valid assertion; the verified caller becomes the request's user.</summary>
    public static void UseGatewayAssertionVerification(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SampleBackendOptions>>().Value.GatewayAuthority is null)
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            var result = await context.AuthenticateAsync(Scheme);
            if (!result.Succeeded)
            {
                await context.ChallengeAsync(Scheme);
                return;
            }

            context.User = result.Principal;
            context.Features.Set(new VerifiedAssertion(result.Principal.Claims.ToList()));
            await next(context);
        });
    }

    /// <summary>
    /// A bound assertion is signed for one request: its <c>jti</c> is remembered until it expires and a
    /// second use is refused, so one captured in flight cannot be sent again, even to the same URL.
    /// </summary>
    private static bool FirstUse(TokenValidatedContext context)
    {
        var jti = context.Principal!.FindFirst("jti")?.Value;
        if (string.IsNullOrEmpty(jti))
        {
            return false;
        }

        var seen = context.HttpContext.RequestServices.GetRequiredService<UsedAssertions>();
        return seen.TryUse(jti, context.SecurityToken.ValidTo);
    }

    /// <summary>RFC 9449's checks: <c>htm</c> is this method; <c>htu</c>, without query and fragment, is this URL as it was sent.</summary>
    private static string? BindingProblem(ClaimsPrincipal assertion, HttpRequest request)
    {
        if (assertion.FindFirst("htm")?.Value is { } method && !string.Equals(method, request.Method, StringComparison.Ordinal))
        {
            return $"The assertion is bound to {method}, not {request.Method}.";
        }

        if (assertion.FindFirst("htu")?.Value is { } url)
        {
            // The request target as received (not the decoded path), so an encoded character compares as it was sent.
            var target = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
            var path = target.Split('?', 2)[0];
            if (!Uri.TryCreate($"{request.Scheme}://{request.Host}{path}", UriKind.Absolute, out var here)
                || !Uri.TryCreate(url, UriKind.Absolute, out var bound)
                || Uri.Compare(bound, here, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped, StringComparison.Ordinal) != 0)
            {
                return "The assertion is bound to another URL.";
            }
        }

        return null;
    }
}

/// <summary>The claims of the gateway's assertion this request carried, verified.</summary>
public sealed record VerifiedAssertion(IReadOnlyList<Claim> Claims);

/// <summary>The <c>jti</c> of every bound assertion used, until it expires (plus the skew allowed).</summary>
public sealed class UsedAssertions : IDisposable
{
    private readonly Microsoft.Extensions.Caching.Memory.MemoryCache _seen = new(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 1_000_000 });

    /// <summary>True the first time <paramref name="jti"/> is used.</summary>
    public bool TryUse(string jti, DateTime validTo)
    {
        lock (_seen)
        {
            if (_seen.TryGetValue(jti, out _))
            {
                return false;
            }

            using var entry = _seen.CreateEntry(jti);
            entry.Value = true;
            entry.Size = 1;
            entry.AbsoluteExpiration = new DateTimeOffset(validTo, TimeSpan.Zero).AddMinutes(1);
            return true;
        }
    }

    public void Dispose() => _seen.Dispose();
}
