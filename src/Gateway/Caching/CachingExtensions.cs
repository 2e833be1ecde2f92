using Microsoft.Extensions.Caching.Memory;
using ZiggyCreatures.Caching.Fusion;

namespace WamsGateway.Caching;

internal static class CachingExtensions
{
    public static IServiceCollection AddGatewayCaching(this IServiceCollection services)
    {
        services.AddFusionCache()
            .WithOptions(options =>
            {
                // A credential is served only while it works: no fail-safe reuse of expired ones.
                options.DefaultEntryOptions.IsFailSafeEnabled = false;
                options.DefaultEntryOptions.Duration = TimeSpan.FromMinutes(1);
            })
            .WithMemoryCache(sp => new MemoryCache(new MemoryCacheOptions
            {
                Clock = new TimeProviderClock(sp.GetRequiredService<TimeProvider>()),
            }));
        services.AddSingleton<DelegationCache>();
        return services;
    }
}
