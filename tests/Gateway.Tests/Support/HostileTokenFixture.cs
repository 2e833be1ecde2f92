using LocalAuthority.Keys;

namespace WamsGateway.Tests.Support;

/// <summary>
/// The delegation fixture with every exchange kind in front of the recording backend, its circuit
/// breaker out of the way, and a <see cref="TokenFactory"/> that signs anything with the local
/// authority's own key: tokens the authority "signed", whatever they say.
/// </summary>
public sealed class HostileTokenFixture : DelegationFixture
{
    /// <summary>Routes with no exchange: anonymous, no Api, Exchange None, Passthrough.</summary>
    public static readonly IReadOnlyList<string> PlainRoutes = ["anon", "plain", "none", "pass"];

    /// <summary>One route per exchange kind, each forwarding to the recording backend.</summary>
    public static readonly IReadOnlyList<string> ExchangeRoutes = ["app-delegated", "wams-delegated-recorded", "wams-minted-recorded", "orders", "aws-recorded"];

    public HostileTokenFixture()
    {
        // The *-recorded routes come with the delegation fixture.
        Customize = config => config["Gateway"]!["Delegation"]!["BreakerMinimumThroughput"] = 100_000;
    }

    public string Issuer => Authority.Address.AbsoluteUri;

    /// <summary>Signs with the local authority's active key, for audience https://api.test.</summary>
    public TokenFactory Tokens => new(Issuer, GatewayConfig.Audience, Authority.Services.GetRequiredService<SigningKeyStore>().Active);
}
