namespace WamsGateway.TrafficPolicy;

/// <summary>An exchange refused by its API's <c>ExchangeRateLimit</c>: the provider was not called.</summary>
internal sealed class ExchangeRateLimitedException : Exception
{
    public ExchangeRateLimitedException(RateLimitRefusal refusal)
        : base($"Rate limit '{refusal.Limiter.Name}' refused an exchange; the provider was not called.")
    {
        Refusal = refusal;
    }

    public ExchangeRateLimitedException()
    {
        Refusal = null!;
    }

    public ExchangeRateLimitedException(string message)
        : base(message)
    {
        Refusal = null!;
    }

    public ExchangeRateLimitedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Refusal = null!;
    }

    public RateLimitRefusal Refusal { get; }
}
