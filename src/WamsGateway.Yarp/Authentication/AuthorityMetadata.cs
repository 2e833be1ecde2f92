using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.Authentication;

/// <summary>
/// One authority's discovery document and JWKS, kept for JwtBearer. Unlike the stock
/// ConfigurationManager it runs on the injected <see cref="TimeProvider"/>, refreshes
/// synchronously when a token names an unknown <c>kid</c> (at most once per
/// <see cref="AuthenticationSettings.KeyRefreshMinInterval"/>), keeps the last good document when
/// a refresh fails, and backs off instead of asking a down authority on every request.
/// </summary>
internal sealed partial class AuthorityMetadata : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    public const string HttpClientName = "authority-metadata";

    // While no document was ever fetched, a failure is remembered this long before asking again.
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(5);

    private readonly string _address;

    // The address as logs and errors show it: without user information and query, either of which may carry a credential.
    private readonly string _shownAddress;
    private readonly string _name;
    private readonly GatewayMeter? _meter;
    private readonly IDocumentRetriever _retriever;
    private readonly TimeProvider _time;
    private readonly AuthenticationSettings _settings;
    private readonly ILogger<AuthorityMetadata> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _refreshLock = new();

    private volatile OpenIdConnectConfiguration? _current;
    private long _staleAfterUtcTicks;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;
    private volatile bool _refreshRequested;
    private DateTimeOffset _lastFailure;
    private string? _lastFailureReason;

    /// <param name="httpClientFactory">Gives the <see cref="HttpClientName"/> client.</param>
    /// <param name="settings">The refresh intervals every authority shares (and the default authority).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Its log.</param>
    /// <param name="name">The authority's name, in logs and metrics.</param>
    /// <param name="authority">The authority whose metadata this is; null: the default one in <paramref name="settings"/>.</param>
    /// <param name="meter">Counts reads by authority and outcome.</param>
    public AuthorityMetadata(IHttpClientFactory httpClientFactory, AuthenticationSettings settings, TimeProvider time, ILogger<AuthorityMetadata> logger,
        string name = AuthenticationSettings.DefaultAuthorityName, AuthoritySettings? authority = null, GatewayMeter? meter = null)
    {
        authority ??= settings;
        _name = name;
        _meter = meter;
        _address = authority.MetadataAddress.AbsoluteUri;
        _shownAddress = ConfigurationRedaction.Urls(_address);
        _retriever = new HttpDocumentRetriever(httpClientFactory.CreateClient(HttpClientName)) { RequireHttps = authority.RequireHttpsMetadata };
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last good document, or null while none was ever fetched.</summary>
    public OpenIdConnectConfiguration? Current => _current;

    /// <summary>
    /// True while the document in hand needs no refresh: neither due (<see cref="AuthenticationSettings.MetadataRefreshInterval"/>)
    /// nor asked for. While it is not, tokens go through JwtBearer, whose read of the document refreshes it.
    /// </summary>
    public bool IsCurrent => IsFresh(_current) is not null;

    /// <summary>True after <see cref="RequestRefresh"/> was granted and before the refresh ran.</summary>
    public bool RefreshRequested => _refreshRequested;

    /// <summary>True while the last attempt to refresh a document already in hand failed.</summary>
    public bool LastRefreshFailed { get; private set; }

    /// <summary>When the discovery document and keys were last read successfully; null while never.</summary>
    public DateTimeOffset? LastRefreshed { get; private set; }

    /// <summary>How many times the document and keys were fetched, successfully or not.</summary>
    public int FetchCount { get; private set; }

    /// <summary>Changes whenever a fetch brings a different set of signing keys (a key added, removed or replaced).</summary>
    public long KeySetVersion => Interlocked.Read(ref _keySetVersion);

    private long _keySetVersion;
    private string? _keySet;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (IsFresh(_current) is { } fresh)
        {
            return fresh;
        }

        await _gate.WaitAsync(cancel);
        try
        {
            var current = _current;
            if (IsFresh(current) is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            var now = _time.GetUtcNow();
            if (current is null && _lastFailureReason is not null && now - _lastFailure < FailureBackoff)
            {
                throw new AuthorityUnavailableException(_lastFailureReason);
            }

            _refreshRequested = false;
            FetchCount++;
            try
            {
                var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(_address, _retriever, cancel);
                var keySet = KeySet(configuration);
                if (keySet != _keySet)
                {
                    _keySet = keySet;
                    Interlocked.Increment(ref _keySetVersion);
                }

                _current = configuration;
                Interlocked.Exchange(ref _staleAfterUtcTicks, (_time.GetUtcNow() + _settings.MetadataRefreshInterval).UtcTicks);
                _lastFailureReason = null;
                LastRefreshFailed = false;
                LastRefreshed = _time.GetUtcNow();
                _meter?.AuthorityMetadataRead(_name, "ok");
                _meter?.AuthorityKeysRefreshed(_name, _time.GetUtcNow());
                Log.MetadataFetched(_logger, _name, _shownAddress, configuration.SigningKeys.Count);
                return configuration;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                var reason = $"{ex.GetType().Name} while reading {_shownAddress}";
                _meter?.AuthorityMetadataRead(_name, "failed");
                if (current is not null)
                {
                    // Keep serving with the last good keys; try again a little later.
                    LastRefreshFailed = true;
                    Interlocked.Exchange(ref _staleAfterUtcTicks, (_time.GetUtcNow() + _settings.KeyRefreshMinInterval).UtcTicks);
                    Log.MetadataRefreshFailed(_logger, _name, _shownAddress, ex.GetType().Name);
                    return current;
                }

                _lastFailure = _time.GetUtcNow();
                _lastFailureReason = reason;
                Log.MetadataUnavailable(_logger, _name, _shownAddress, ex.GetType().Name);
                throw new AuthorityUnavailableException(reason, ex);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Asks for a refresh before the next use, at most once per <see cref="AuthenticationSettings.KeyRefreshMinInterval"/>,
    /// so a stream of tokens with made-up key ids cannot make the gateway hammer the authority.
    /// </summary>
    public void RequestRefresh()
    {
        lock (_refreshLock)
        {
            var now = _time.GetUtcNow();
            if (now - _lastForcedRefresh < _settings.KeyRefreshMinInterval)
            {
                return;
            }

            _lastForcedRefresh = now;
            _refreshRequested = true;
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The signing keys as one comparable text: each key's id and JWK thumbprint, sorted.</summary>
    private static string KeySet(OpenIdConnectConfiguration configuration) =>
        string.Join('\n', configuration.SigningKeys
            .Select(k => k.KeyId + ":" + (k.CanComputeJwkThumbprint() ? Convert.ToBase64String(k.ComputeJwkThumbprint()) : k.GetType().Name))
            .Order(StringComparer.Ordinal));

    private OpenIdConnectConfiguration? IsFresh(OpenIdConnectConfiguration? configuration) =>
        configuration is not null && !_refreshRequested && _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _staleAfterUtcTicks) ? configuration : null;

    private static partial class Log
    {
        [LoggerMessage(100, LogLevel.Information, "Read authority {Authority}'s metadata from {Address}: {KeyCount} signing keys.")]
        public static partial void MetadataFetched(ILogger logger, string authority, string address, int keyCount);

        [LoggerMessage(101, LogLevel.Warning, "Refreshing authority {Authority}'s metadata from {Address} failed ({Error}); the last good keys stay in use.")]
        public static partial void MetadataRefreshFailed(ILogger logger, string authority, string address, string error);

        [LoggerMessage(102, LogLevel.Error, "Authority {Authority}'s metadata at {Address} cannot be read ({Error}); its tokens cannot be validated until it can.")]
        public static partial void MetadataUnavailable(ILogger logger, string authority, string address, string error);
    }
}
