using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;

namespace WamsGateway.Authentication;

/// <summary>
/// Warns, at start and after each applied reload, when two APIs that exchange credentials accept exactly the same
/// audiences from the same authority: a token meant for one then opens the other as well, and the gateway would
/// exchange it for either API's credential. Give each API its own <c>Audiences</c> (and its authority a token per API).
/// </summary>
internal sealed partial class SharedAudienceWarning : IHostedService, IDisposable
{
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly ExchangeKinds _kinds;
    private readonly ILogger<SharedAudienceWarning> _logger;
    private IDisposable? _subscription;

    public SharedAudienceWarning(IOptionsMonitor<GatewayOptions> options, ExchangeKinds kinds, ILogger<SharedAudienceWarning> logger)
    {
        _options = options;
        _kinds = kinds;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        WarnAbout(_options.CurrentValue);
        _subscription = _options.OnChange((options, _) => WarnAbout(options));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();

    /// <summary>Each group of two or more exchanging APIs that accept the same audiences from one authority, with that authority's name.</summary>
    internal static IEnumerable<(IReadOnlyList<string> Apis, string Authority)> Find(GatewayOptions options, ExchangeKinds kinds)
    {
        var authorities = options.NamedAuthorities.Prepend(new(AuthenticationSettings.DefaultAuthorityName, options.Authentication));
        var exchanging = options.Apis
            .Where(api => kinds.Find(api.Value.Exchange)?.ExchangesCredential == true)
            .OrderBy(api => api.Key, StringComparer.Ordinal)
            .ToList();
        foreach (var (authority, settings) in authorities)
        {
            var groups = exchanging
                .Where(api => api.Value.Authorities?.Contains(authority, StringComparer.OrdinalIgnoreCase) ?? true)
                .Select(api => (Name: api.Key, Audiences: string.Join('\n', Accepted(api.Value, settings))))
                .Where(api => api.Audiences.Length > 0)
                .GroupBy(api => api.Audiences, StringComparer.Ordinal)
                .Where(group => group.Count() > 1);
            foreach (var group in groups)
            {
                yield return (group.Select(api => api.Name).ToList(), authority);
            }
        }
    }

    /// <summary>The audiences an API accepts from one authority, sorted: its own that the authority accepts, else all the authority's.</summary>
    private static IEnumerable<string> Accepted(ApiOptions api, AuthoritySettings authority) =>
        (authority.Audiences ?? [])
            .Where(audience => api.Audiences?.Contains(audience, StringComparer.Ordinal) ?? true)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private void WarnAbout(GatewayOptions options)
    {
        foreach (var (apis, authority) in Find(options, _kinds))
        {
            Log.SameAudiences(_logger, string.Join(", ", apis), authority);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(130, LogLevel.Warning, "APIs {Apis} exchange credentials and accept exactly the same audiences from authority {Authority}: "
            + "a token for one opens the others. Give each its own Gateway:Apis:<name>:Audiences (or Authorities) unless that is intended.")]
        public static partial void SameAudiences(ILogger logger, string apis, string authority);
    }
}
