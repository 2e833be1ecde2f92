namespace WamsGateway.Exchanges.AwsSts;

internal static class AwsStsRegistration
{
    /// <summary>The kind; it signs its own requests in the route's transform, so no client of YARP's is replaced or wrapped.</summary>
    public static WamsGatewayBuilder AddAwsSts(this WamsGatewayBuilder gateway) => gateway.AddExchangeKind<AwsStsExchange>(AwsStsExchange.Name);
}
