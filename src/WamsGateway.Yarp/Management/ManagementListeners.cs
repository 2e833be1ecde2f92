namespace WamsGateway.Management;

/// <summary>What the gateway binds when it has a management listener, for the start-up log line.</summary>
internal sealed class ManagementListeners
{
    public ManagementListeners(string proxy, string management)
    {
        Proxy = proxy;
        Management = management;
    }

    public string Proxy { get; }

    public string Management { get; }
}
