using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using WamsGateway.Exchanges;

namespace WamsGateway.Delegation;

/// <summary>
/// Reads an identity provider's token-endpoint answer (through Duende.IdentityModel's
/// <see cref="TokenResponse"/>) into a credential or a <see cref="DelegationException"/>, the same way for
/// every kind that calls one.
/// </summary>
internal static partial class ProviderAnswers
{
    // Lenient on purpose: some providers answer without expires_in, and a token without a known end
    // must not live long in the cache.
    private static readonly TimeSpan UnknownLifetime = TimeSpan.FromMinutes(5);

    public static DelegatedCredential Read(TokenResponse response, string tokenField, TimeProvider time, TimeSpan defaultRetryAfter)
    {
        ThrowIfFailed(response, time, defaultRetryAfter);
        if (response.IsError || response.Json is not { } json || !json.TryGetProperty(tokenField, out var tokenValue)
            || tokenValue.ValueKind != JsonValueKind.String || tokenValue.GetString() is not { Length: > 0 } token)
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, $"The identity provider's answer has no usable {tokenField}.");
        }

        var now = time.GetUtcNow();
        var expiresAt = response.ExpiresIn > 0 ? now.AddSeconds(response.ExpiresIn) : JwtExpiry(token) ?? now + UnknownLifetime;
        return new BearerCredential(token, expiresAt);
    }

    /// <summary>The provider was unreachable, unavailable, or refused: the matching <see cref="DelegationException"/>.</summary>
    public static void ThrowIfFailed(TokenResponse response, TimeProvider time, TimeSpan defaultRetryAfter)
    {
        if (response.ErrorType == ResponseErrorType.Exception && response.HttpResponse is null)
        {
            // Connection refused, DNS, the resilience pipeline's timeout or open circuit.
            throw new DelegationException(DelegationFailure.Unavailable, $"The identity provider could not be reached ({response.Exception?.GetType().Name}).",
                retryAfter: defaultRetryAfter, innerException: response.Exception);
        }

        var status = response.HttpStatusCode;
        if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500)
        {
            throw new DelegationException(DelegationFailure.Unavailable, $"The identity provider answered {(int)status}.",
                ProviderErrorCode(response), RetryAfter(response.HttpResponse, time) ?? defaultRetryAfter);
        }

        if ((int)status >= 400)
        {
            throw new DelegationException(DelegationFailure.Denied, $"The identity provider refused the exchange ({(int)status}).",
                ProviderErrorCode(response) ?? $"http_{(int)status}");
        }
    }

    /// <summary>
    /// The provider's <c>error</c> code if it looks like one (RFC 6749 error codes are short ASCII words).
    /// Read from the body: for statuses other than 400, Duende's <c>Error</c> holds the HTTP reason phrase.
    /// </summary>
    private static string? ProviderErrorCode(TokenResponse response)
    {
        string? error = null;
        if (response.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("error", out var value) && value.ValueKind == JsonValueKind.String)
        {
            error = value.GetString();
        }

        return error is not null && ErrorCode().IsMatch(error) ? error : null;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        if (response is null)
        {
            return null;
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            return Positive(date - time.GetUtcNow());
        }

        // Auth0's rate limit headers: X-RateLimit-Reset is the epoch second when the window resets.
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            return Positive(DateTimeOffset.FromUnixTimeSeconds(reset) - time.GetUtcNow());
        }

        return null;
    }

    private static TimeSpan? Positive(TimeSpan value) => value > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds)) : null;

    private static DateTimeOffset? JwtExpiry(string token)
    {
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex ErrorCode();
}
