using System.Text.Json;
using WamsGateway.Caching;
using WamsGateway.Exchanges;
using WamsGateway.Exchanges.AwsSts;
using WamsGateway.Tests.Hosting;

namespace WamsGateway.Tests.Caching;

/// <summary>The cached credential is a union whose cases the registered kinds declare; anything else does not read.</summary>
public sealed class CredentialJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static JsonSerializerOptions Options()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration);
        services.AddLogging();
        services.AddReverseProxy().AddWamsGateway(configuration.GetSection("Gateway"))
            .AddExchangeKind<TeamAssertionExchange>("TeamAssertion");
        return CredentialJson.Options(services.BuildServiceProvider().GetRequiredService<ExchangeKinds>());
    }

    public static TheoryData<DelegatedCredential> Credentials() =>
    [
        new BearerCredential("a.b.c", At),
        new AwsCredential("ASIAEXAMPLE", "secret", "session", At),
        new TeamAssertion("auth0|alice", 1_790_000_000, "abcdef", At),
    ];

    [Theory]
    [MemberData(nameof(Credentials))]
    public void EveryKindsCredential_RoundTrips(DelegatedCredential credential)
    {
        var options = Options();
        var entry = new CachedExchange("owner", credential);

        var read = JsonSerializer.Deserialize<CachedExchange>(JsonSerializer.Serialize(entry, options), options);

        Assert.Equal(entry, read);
        Assert.IsType(credential.GetType(), read!.Credential);
    }

    [Fact]
    public void ABearerCredentialsAuthorizationValue_IsNeitherStoredNorCompared_AndACopyBuildsItsOwn()
    {
        var options = Options();
        var used = new BearerCredential("a.b.c", At);
        Assert.Equal("Bearer a.b.c", used.AuthorizationValue);

        var json = JsonSerializer.Serialize(new CachedExchange("owner", used), options);
        var read = JsonSerializer.Deserialize<CachedExchange>(json, options)!;

        Assert.DoesNotContain("Bearer a.b.c", json, StringComparison.Ordinal);
        Assert.Equal(new BearerCredential("a.b.c", At), read.Credential);
        Assert.Equal(used, read.Credential);
        Assert.Equal("Bearer d.e.f", (used with { Token = "d.e.f" }).AuthorizationValue);
        Assert.Equal("Bearer a.b.c", (used with { ExpiresAt = At.AddMinutes(1) }).AuthorizationValue);
    }

    [Theory]
    [InlineData("""{"Owner":"o","Credential":{"$type":"System.Uri","Token":"x","ExpiresAt":"2026-11-25T12:00:00+00:00"}}""")]
    [InlineData("""{"Owner":"o","Credential":{"Token":"x","ExpiresAt":"2026-11-25T12:00:00+00:00"}}""")]
    public void AValueNamingNoRegisteredCredentialType_DoesNotRead(string json)
    {
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<CachedExchange>(json, Options()));
    }
}
