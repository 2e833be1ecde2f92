using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace WamsGateway.Configuration;

/// <summary>
/// A proxy configuration source with no routes or clusters, whose only job is to make YARP load its configuration
/// again when the gateway's changed: YARP then binds every route to the new configuration snapshot
/// (<see cref="RouteGenerationFilter"/>) and swaps its endpoints at once, whatever source the host's routes come from.
/// </summary>
internal sealed class GatewayReloadSignal : IProxyConfigProvider, IDisposable
{
    private volatile Signal _current = new();

    public IProxyConfig GetConfig() => _current;

    public void Dispose() => _current.Dispose();

    /// <summary>Asks YARP to load its configuration again.</summary>
    public void Raise()
    {
        var raised = _current;
        _current = new Signal();
        raised.Fire();
    }

    /// <remarks>Never disposed while YARP may still register on its token; a raised signal's source holds no timer and no handle.</remarks>
    private sealed class Signal : IProxyConfig, IDisposable
    {
        private readonly CancellationTokenSource _source = new();

        public Signal()
        {
            ChangeToken = new CancellationChangeToken(_source.Token);
        }

        public IReadOnlyList<RouteConfig> Routes => [];

        public IReadOnlyList<ClusterConfig> Clusters => [];

        public IChangeToken ChangeToken { get; }

        public void Fire() => _source.Cancel();

        public void Dispose() => _source.Dispose();
    }
}
