using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

internal static class DelegationExtensions
{
    public const string HttpClientName = "delegation";

    public static IServiceCollection AddGatewayDelegation(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName)
            .AddResilienceHandler("delegation", (pipeline, context) =>
            {
                var settings = context.ServiceProvider.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Delegation;
                pipeline
                    // Every attempt and the pause between them: the exchange budget (DelegationCache waits no longer).
                    .AddTimeout(settings.ExchangeBudget)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = DelegationSettings.Attempts - 1,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(50),
                        MaxDelay = DelegationSettings.MaxRetryDelay,
                        // A provider that names a time to come back is not asked again at once (IsTransient).
                        ShouldRetryAfterHeader = false,
                        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = settings.BreakerMinimumThroughput,
                        SamplingDuration = TimeSpan.FromSeconds(30),
                        BreakDuration = settings.BreakDuration,
                        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    })
                    .AddTimeout(settings.Timeout);
            })
            // One circuit per identity provider host, so one failing authority does not open another's.
            .SelectPipelineByAuthority();
        return services;
    }

    /// <summary>
    /// Worth one more try: the network failed, the attempt timed out, or the provider had a 5xx or 408
    /// without saying when to come back. Never a 4xx otherwise: a refusal stays a refusal, and a 429
    /// (or a Retry-After) means "not now", which the caller hears as 503 with that Retry-After.
    /// </summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
            && response.Headers.RetryAfter is null,
        _ => false,
    };
}
