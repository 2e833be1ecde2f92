using System.Diagnostics.Metrics;

namespace WamsGateway.Observability;

/// <summary>The gateway's own instruments. Labels are low-cardinality names only: never a token, user or client id.</summary>
internal sealed class GatewayMeter
{
    public const string Name = "WamsGateway";

    private readonly Counter<long> _authFailures;

    public GatewayMeter(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _authFailures = meter.CreateCounter<long>("wamsgateway.auth.failures", description: "Requests refused because their token failed validation.");
    }

    public void AuthFailure(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
