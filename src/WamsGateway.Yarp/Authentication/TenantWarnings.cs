using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;

namespace WamsGateway.Authentication;

/// <summary>
/// What an operator of several APIs and tenants should decide rather than inherit, logged at start and after each
/// applied reload:
/// <list type="bullet">
/// <item>two or more APIs that exchange credentials accept exactly the same audiences from one authority: a token meant
/// for one then opens the others, and the gateway would exchange it for any of their credentials;</item>
/// <item>with several authorities, APIs that name no <c>Authorities</c> take every tenant's users, whose <c>sub</c> values
/// are unique only within their tenant: their backends see users of different tenants under equal ids.</item>
/// </list>
/// </summary>
internal sealed partial class TenantWarnings : IHostedService, IDisposable
{
    private readonly IOptionsMonitor<WamsGatewayOptions> _options;
    private readonly ExchangeKinds _kinds;
    private readonly ILogger<TenantWarnings> _logger;
    private IDisposable? _subscription;

    public TenantWarnings(IOptionsMonitor<WamsGatewayOptions> options, ExchangeKinds kinds, ILogger<TenantWarnings> logger)
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
    internal static IEnumerable<(IReadOnlyList<string> Apis, string Authority)> Find(WamsGatewayOptions options, ExchangeKinds kinds)
    {
        var exchanging = options.Apis
            .Where(api => kinds.Find(api.Value.Exchange)?.ExchangesCredential == true)
            .OrderBy(api => api.Key, StringComparer.Ordinal)
            .ToList();
        foreach (var (authority, settings) in options.AllAuthorities)
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

    /// <summary>
    /// Each exchanging API whose credential's audience the gateway itself accepts inbound (from some authority), with that
    /// audience: the backend that receives the credential could present it to the gateway as the user, on every API that
    /// takes that audience. Delegated tokens (<c>act</c>) are refused unless an API names the actor; the warning says so.
    /// </summary>
    internal static IEnumerable<(string Api, string Audience, string Authority)> CredentialsAcceptedInbound(WamsGatewayOptions options, ExchangeKinds kinds)
    {
        foreach (var (name, api) in options.Apis.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (kinds.Find(api.Exchange) is not { ExchangesCredential: true } kind || api.Settings is null)
            {
                continue;
            }

            foreach (var audience in kind.CredentialAudiences(api.Settings).Distinct(StringComparer.Ordinal))
            {
                if (options.AllAuthorities.FirstOrDefault(a => a.Value.Audiences?.Contains(audience, StringComparer.Ordinal) == true) is { Key: { } authority })
                {
                    yield return (name, audience, authority);
                }
            }
        }
    }

    /// <summary>With more than one authority, the APIs that take every one's tokens because they name none.</summary>
    internal static IReadOnlyList<string> AcceptingEveryTenant(WamsGatewayOptions options) =>
        options.NamedAuthorities.Any()
            ? options.Apis.Where(api => api.Value.Authorities is null).Select(api => api.Key).Order(StringComparer.Ordinal).ToList()
            : [];

    private void WarnAbout(WamsGatewayOptions options)
    {
        foreach (var (apis, authority) in Find(options, _kinds))
        {
            Log.SameAudiences(_logger, string.Join(", ", apis), authority);
        }

        if (AcceptingEveryTenant(options) is { Count: > 0 } everyTenant)
        {
            Log.EveryTenant(_logger, string.Join(", ", everyTenant));
        }

        foreach (var (api, audience, authority) in CredentialsAcceptedInbound(options, _kinds))
        {
            Log.CredentialAcceptedInbound(_logger, api, audience, authority);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(130, LogLevel.Warning, "APIs {Apis} exchange credentials and accept exactly the same audiences from authority {Authority}: "
            + "a token for one opens the others. Give each its own Gateway:Apis:<name>:Audiences (or Authorities) unless that is intended.")]
        public static partial void SameAudiences(ILogger logger, string apis, string authority);

        [LoggerMessage(131, LogLevel.Warning, "APIs {Apis} name no Authorities, so they take the tokens of every configured authority; a sub is unique only within "
            + "its tenant, so their backends see users of different tenants under equal ids. Name each API's Authorities, or give its backend the issuer too "
            + "(Gateway:IdentityHeaders, e.g. X-User-Issuer: iss).")]
        public static partial void EveryTenant(ILogger logger, string apis);

        [LoggerMessage(132, LogLevel.Warning, "API {Api} obtains credentials for audience {Audience}, which the gateway accepts inbound (authority {Authority}): the backend that "
            + "receives one could present it to the gateway as the user. Delegated tokens (act) are refused unless an API names their actor in AllowedActors; "
            + "give the API's credentials an audience of their own, or take {Audience} out of the gateway's Audiences.")]
        public static partial void CredentialAcceptedInbound(ILogger logger, string api, string audience, string authority);
    }
}
