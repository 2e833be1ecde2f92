using System.Net;
using System.Net.Sockets;

namespace WamsGateway.TestSupport;

/// <summary>Loopback ports for tests that need one nobody is listening on.</summary>
public static class LoopbackPort
{
    /// <summary>A port that was free a moment ago: for a server to start on, or for a peer that is down.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
