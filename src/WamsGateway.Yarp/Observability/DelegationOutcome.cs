using WamsGateway.Exchanges;

namespace WamsGateway.Observability;

/// <summary>The <c>outcome</c> of <c>wamsgateway_delegation_duration_seconds</c> (and, folded, of <c>wamsgateway_delegation_requests_total</c>).</summary>
internal static class DelegationOutcome
{
    /// <summary>Served from the cache, in memory or Redis.</summary>
    public const string Hit = "hit";

    /// <summary>Exchanged with the provider (by this request, or one it waited for).</summary>
    public const string Miss = "miss";

    /// <summary>The provider refused (403 <c>delegation_denied</c>).</summary>
    public const string Refused = "refused";

    /// <summary>The provider was unreachable, failing or slow past the budget, now or moments ago (503 <c>delegation_unavailable</c>).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The provider's answer could not be used (502 <c>delegation_invalid_response</c>).</summary>
    public const string InvalidResponse = "invalid_response";

    /// <summary>The API's <c>ExchangeRateLimit</c> refused the exchange (429 <c>rate_limited</c>).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The counter's one word for every failure.</summary>
    public const string Error = "error";

    public static string For(DelegationFailure failure) => failure switch
    {
        DelegationFailure.Denied => Refused,
        DelegationFailure.Unavailable => Unavailable,
        _ => InvalidResponse,
    };
}
