namespace WamsGateway.Exchanges;

/// <summary>How an exchange failed, as docs/http-behaviour.md maps it to an answer.</summary>
public enum DelegationFailure
{
    /// <summary>The provider refused (its 4xx): 403 <c>delegation_denied</c>.</summary>
    Denied,

    /// <summary>Unreachable, timing out, 429 or 5xx: 503 <c>delegation_unavailable</c> with <c>Retry-After</c>.</summary>
    Unavailable,

    /// <summary>An answer that cannot be used: 502 <c>delegation_invalid_response</c>.</summary>
    InvalidResponse,
}

/// <summary>
/// An exchange that failed. Carries the provider's error code (a short token such as
/// <c>invalid_grant</c>, safe to show) and never the provider's body or any token.
/// </summary>
public sealed class DelegationException : Exception
{
    /// <summary>An exchange that failed.</summary>
    /// <param name="failure">How: refused, unavailable or unusable.</param>
    /// <param name="message">For the log; never a token or a provider's body.</param>
    /// <param name="providerError">The provider's short error code, safe to show the caller.</param>
    /// <param name="retryAfter">When the provider may be asked again (Unavailable only).</param>
    /// <param name="innerException">The cause.</param>
    public DelegationException(DelegationFailure failure, string message, string? providerError = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        ProviderError = providerError;
        RetryAfter = retryAfter;
    }

    /// <summary>An unusable answer.</summary>
    public DelegationException()
        : this(DelegationFailure.InvalidResponse, "The exchange failed.")
    {
    }

    /// <summary>An unusable answer.</summary>
    /// <param name="message">For the log.</param>
    public DelegationException(string message)
        : this(DelegationFailure.InvalidResponse, message)
    {
    }

    /// <summary>An unusable answer.</summary>
    /// <param name="message">For the log.</param>
    /// <param name="innerException">The cause.</param>
    public DelegationException(string message, Exception innerException)
        : this(DelegationFailure.InvalidResponse, message, innerException: innerException)
    {
    }

    /// <summary>How the exchange failed.</summary>
    public DelegationFailure Failure { get; }

    /// <summary>The provider's short error code, such as <c>invalid_grant</c>.</summary>
    public string? ProviderError { get; }

    /// <summary>When the provider may be asked again.</summary>
    public TimeSpan? RetryAfter { get; }
}
