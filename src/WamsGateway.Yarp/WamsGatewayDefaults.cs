namespace WamsGateway;

/// <summary>Names the gateway registers in a host.</summary>
public static class WamsGatewayDefaults
{
    /// <summary>The gateway's JwtBearer authentication scheme: the authority's tokens, validated as configured under <c>Gateway:Authentication</c>.</summary>
    public const string AuthenticationScheme = "WamsGateway";

    /// <summary>
    /// The authorization policy every proxied route without an <c>AuthorizationPolicy</c> of its own gets:
    /// a caller signed in with <see cref="AuthenticationScheme"/>.
    /// </summary>
    public const string AuthorizationPolicy = "WamsGateway";

    /// <summary>The tag of the health checks <c>/healthz/ready</c> runs; a host adds its own checks to readiness with it.</summary>
    public const string ReadinessTag = "ready";

    /// <summary>The OpenTelemetry meter and the name of the gateway's own instruments.</summary>
    public const string MeterName = Observability.GatewayMeter.Name;
}
