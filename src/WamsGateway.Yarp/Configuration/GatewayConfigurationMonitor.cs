using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using WamsGateway.Observability;

namespace WamsGateway.Configuration;

/// <summary>
/// The gateway's <see cref="IOptionsMonitor{TOptions}"/>: the last configuration that passed validation.
/// When the <c>Gateway</c> section reloads, the new options are created and validated as a whole (the same
/// validators as at start, every <see cref="GatewaySettingsValidator"/>); a valid change applies to the next request, an
/// invalid one is refused, every problem logged with its key, and the last good configuration keeps
/// serving. Unlike the default monitor, a bad reload never throws into the file watcher's thread.
/// </summary>
internal sealed partial class GatewayConfigurationMonitor : IOptionsMonitor<WamsGatewayOptions>, IDisposable
{
    private readonly IConfiguration _section;
    private readonly IConfiguration _shown;
    private IReadOnlyList<string> _refusedAsValidated = [];
    private readonly IOptionsFactory<WamsGatewayOptions> _factory;
    private readonly GatewayMeter _meter;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayConfigurationMonitor> _logger;
    private readonly Lock _lock = new();
    private readonly List<IDisposable> _subscriptions = [];
    private event Action<WamsGatewayOptions, string?>? Changed;
    private const string ConfigurationRoutesProvider = "Yarp.ReverseProxy.Configuration.ConfigProvider.ConfigurationConfigProvider";

    private readonly string[] _otherSections;
    private volatile IChangeToken _token;
    private bool _reloading;
    private volatile WamsGatewayOptions _current;
    private readonly Dictionary<string, string?>[] _otherValues;

    /// <exception cref="OptionsValidationException">The configuration at start is invalid.</exception>
    public GatewayConfigurationMonitor(IConfiguration section, IOptionsFactory<WamsGatewayOptions> factory, IServiceProvider services, IEnumerable<GatewaySettingsSection> otherSections,
        GatewayMeter meter, TimeProvider time, ILogger<GatewayConfigurationMonitor> logger)
    {
        _section = section;
        // The problems of a refused reload mask values of the whole configuration (YARP's routes and clusters too).
        _shown = services.GetService<IConfiguration>() ?? section;
        _otherSections = otherSections.Select(s => s.Name).ToArray();
        _otherValues = _otherSections.Select(Values).ToArray();
        _factory = factory;
        _meter = meter;
        _time = time;
        _logger = logger;
        _token = section.GetReloadToken();
        _current = factory.Create(Options.DefaultName);
        meter.ConfigLoaded(time.GetUtcNow());
        var providers = services.GetServices<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>().ToList();
        RoutesFollowConfiguration = providers.Any(p => p.GetType().FullName == ConfigurationRoutesProvider);

        // When YARP reads its routes from configuration, its own reload applies this one (its route checks and the
        // route binding ask for the current options), after YARP has read the same edit's routes: applying it here
        // first would bind the old routes to the new APIs. Otherwise nothing else would, so it applies here.
        _subscriptions.Add(ChangeToken.OnChange(section.GetReloadToken, () =>
        {
            if (!RoutesFollowConfiguration)
            {
                EnsureCurrent();
            }
        }));

        // A reload refused only because YARP's routes had not caught up yet (an API removed with the
        // route that named it) is tried again once YARP's configuration changes.
        foreach (var provider in providers)
        {
            _subscriptions.Add(ChangeToken.OnChange(() => provider.GetConfig().ChangeToken, () =>
            {
                if (LastRefused)
                {
                    Reload();
                }
            }));
        }
    }

    /// <summary>
    /// YARP reads routes from configuration (<c>LoadFromConfig</c>), so a configuration reload reloads them too, and
    /// this monitor's reload is applied by YARP's (<see cref="ApiCatalog"/>). YARP's provider type is internal: named here.
    /// </summary>
    public bool RoutesFollowConfiguration { get; }

    public WamsGatewayOptions CurrentValue
    {
        get
        {
            EnsureCurrent();
            return _current;
        }
    }

    /// <summary>True while the newest configuration was refused and an older one serves.</summary>
    public bool LastRefused { get; private set; }

    /// <summary>
    /// Why the newest configuration was refused, one line per problem, as logs and the dashboard show it: configured values
    /// masked (<see cref="ConfigurationRedaction.Problems"/>).
    /// </summary>
    public IReadOnlyList<string> RefusedProblems { get; private set; } = [];

    /// <summary>True while YARP refuses the newest routes: the routes it serves keep the configuration they were loaded with.</summary>
    public bool RoutesRefused { get; private set; }

    public WamsGatewayOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<WamsGatewayOptions, string?> listener)
    {
        Changed += listener;
        return new Subscription(() => Changed -= listener);
    }

    /// <summary>
    /// Applies a reload that has happened but whose notice has not arrived yet, so YARP validating a route
    /// that names a new API sees that API whichever of the two heard of the file first.
    /// </summary>
    public void EnsureCurrent()
    {
        if (_token.HasChanged)
        {
            Reload();
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    private void Reload()
    {
        lock (_lock)
        {
            // Re-entered from a listener (YARP loading routes while the catalog publishes): the reload in progress publishes.
            if (_reloading)
            {
                return;
            }

            // The token is replaced only once the new options are published, so a caller that sees it unchanged
            // also sees what it brought; one taken now notices any reload that happens meanwhile.
            IChangeToken? next = null;
            if (_token.HasChanged)
            {
                next = _section.GetReloadToken();
            }
            else if (!LastRefused)
            {
                return;
            }

            _reloading = true;
            try
            {
                var options = _factory.Create(Options.DefaultName);
                WarnAboutRestartOnlyChanges(_current, options);
                WarnAboutOtherSections();
                _current = options;

                // Listeners (the request path's snapshot) have the new configuration before anyone
                // is told it applied: readiness never says Healthy while the old one still answers.
                Changed?.Invoke(options, Options.DefaultName);
                LastRefused = false;
                RefusedProblems = [];
                _refusedAsValidated = [];
            }
            catch (OptionsValidationException ex)
            {
                if (LastRefused && ex.Failures.SequenceEqual(_refusedAsValidated))
                {
                    // Tried again (YARP's routes changed) and refused for the same reasons: said already.
                    return;
                }

                LastRefused = true;
                _refusedAsValidated = ex.Failures.ToList();
                RefusedProblems = ConfigurationRedaction.Problems(ex.Failures, _shown);
                foreach (var problem in RefusedProblems)
                {
                    Log.ReloadProblem(_logger, problem);
                }

                Log.ReloadRefused(_logger, RefusedProblems.Count);
                _meter.ConfigReload("refused");
            }
            finally
            {
                _reloading = false;
                if (next is not null)
                {
                    _token = next;
                }
            }
        }
    }

    /// <summary>
    /// A reloaded configuration serves requests: YARP has loaded its routes bound to it (<see cref="ApiCatalog"/>), so the
    /// next request uses it, routes and APIs together. Logged, counted and timestamped here, not when it validated.
    /// </summary>
    public void ReportApplied(int apis)
    {
        Log.ReloadApplied(_logger, apis);
        _meter.ConfigReload("applied");
        _meter.ConfigLoaded(_time.GetUtcNow());
    }

    /// <summary>YARP refused the routes of an edit (it logs why, route by route): said once per refusal, counted, shown in readiness.</summary>
    public void ReportRoutesRefused(Exception exception)
    {
        RoutesRefused = true;
        if (LastRefused)
        {
            // YARP refused the routes because the gateway refused the same edit: said and counted once already (801, 802).
            return;
        }

        var reasons = exception is AggregateException aggregate ? aggregate.InnerExceptions.Select(e => e.Message) : [exception.Message];
        Log.RoutesRefused(_logger, string.Join(" ", ConfigurationRedaction.Problems(reasons, _shown)));
        _meter.ConfigReload("refused");
    }

    /// <summary>YARP applied routes: the routes it serves are the newest.</summary>
    public void ReportRoutesApplied() => RoutesRefused = false;

    /// <summary>Only the APIs, identity headers and strip list change while the gateway runs; say so when anything else did.</summary>
    private void WarnAboutRestartOnlyChanges(WamsGatewayOptions before, WamsGatewayOptions after)
    {
        foreach (var (name, old, current) in new (string, object, object)[]
        {
            ("Authentication", before.Authentication, after.Authentication),
            ("Authorities", before.Authorities, after.Authorities),
            ("Redis", before.Redis, after.Redis),
            ("Cache", before.Cache, after.Cache),
            ("Delegation", before.Delegation, after.Delegation),
            ("Shutdown", before.Shutdown, after.Shutdown),
            ("Assertion", before.Assertion, after.Assertion),
            ("RateLimits", before.RateLimits, after.RateLimits),
            ("Cors", before.Cors, after.Cors),
            ("Timeouts", before.Timeouts, after.Timeouts),
        })
        {
            // Compared, never logged: these sections hold secrets.
            if (JsonSerializer.Serialize(old) != JsonSerializer.Serialize(current))
            {
                Log.RestartNeeded(_logger, $"{WamsGatewayOptions.SectionName}:{name}");
            }
        }
    }

    /// <summary>The sections other packages bind (the management listener's) are read at start only too.</summary>
    private void WarnAboutOtherSections()
    {
        for (var i = 0; i < _otherSections.Length; i++)
        {
            var values = Values(_otherSections[i]);
            if (values.Count != _otherValues[i].Count || values.Any(kv => !_otherValues[i].TryGetValue(kv.Key, out var before) || before != kv.Value))
            {
                Log.RestartNeeded(_logger, $"{WamsGatewayOptions.SectionName}:{_otherSections[i]}");
            }

            _otherValues[i] = values;
        }
    }

    private Dictionary<string, string?> Values(string section) =>
        _section.GetSection(section).AsEnumerable(makePathsRelative: true).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(800, LogLevel.Information, "Configuration reloaded: {Apis} API(s), with the routes of the same edit; the next request uses it.")]
        public static partial void ReloadApplied(ILogger logger, int apis);

        [LoggerMessage(801, LogLevel.Error, "Configuration reload refused: {Problem}")]
        public static partial void ReloadProblem(ILogger logger, string problem);

        [LoggerMessage(802, LogLevel.Error, "Configuration reload refused as a whole ({Count} problem(s) above); the last valid configuration keeps serving and readiness reports 'configuration' Degraded until a valid one loads.")]
        public static partial void ReloadRefused(ILogger logger, int count);

        [LoggerMessage(804, LogLevel.Error, "The routes of the last configuration edit were refused by YARP: {Reasons} Every route keeps serving with the configuration it was loaded with, and readiness reports 'configuration' Degraded until routes load.")]
        public static partial void RoutesRefused(ILogger logger, string reasons);

        [LoggerMessage(803, LogLevel.Warning, "{Section} changed; it is read at start only, so the change takes effect when the gateway restarts.")]
        public static partial void RestartNeeded(ILogger logger, string section);
    }
}
