namespace WamsGateway.Delegation;

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
    public DelegationException(DelegationFailure failure, string message, string? providerError = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        ProviderError = providerError;
        RetryAfter = retryAfter;
    }

    public DelegationException()
        : this(DelegationFailure.InvalidResponse, "The exchange failed.")
    {
    }

    public DelegationException(string message)
        : this(DelegationFailure.InvalidResponse, message)
    {
    }

    public DelegationException(string message, Exception innerException)
        : this(DelegationFailure.InvalidResponse, message, innerException: innerException)
    {
    }

    public DelegationFailure Failure { get; }

    public string? ProviderError { get; }

    public TimeSpan? RetryAfter { get; }
}
