using System.Runtime.CompilerServices;

namespace WamsGateway.Tests.Support;

/// <summary>
/// This one test process hosts, at once, dozens of servers (gateways, authorities, backends, Redis
/// clients) and the clients that load them, on two cores. The thread pool starts with one worker per
/// core and adds more about once a second when they are all busy, so a burst of concurrent requests
/// can wait a second for a thread that a real gateway process, serving only itself, would have had.
/// Tests that assert deadlines would then measure the test host, not the gateway.
/// </summary>
internal static class TestProcessThreads
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
