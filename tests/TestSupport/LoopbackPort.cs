using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace WamsGateway.TestSupport;

/// <summary>Loopback ports for tests that need one nobody is listening on.</summary>
public static class LoopbackPort
{
    // Bound, never listening, kept for the life of the test process.
    private static readonly ConcurrentBag<Socket> Held = [];

    /// <summary>A port that was free a moment ago: for a server to start on.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A port where every connection is refused, for a peer that is down: it stays bound (without
    /// listening) for the rest of the run, so no server another test starts can take it.
    /// </summary>
    public static int Closed()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Held.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
