using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAuthority;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WamsGateway.Authentication;
using WamsGateway.TestSupport;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>
/// Two Auth0-compatible authorities on two ports (the project's local authority, twice: the default tenant and
/// "eu"), one gateway accepting both: each token is checked by the authority its <c>iss</c> names, APIs narrow
/// which authorities and audiences they take, and exchanges go to the authority that issued the caller's token.
/// </summary>
public sealed class SeveralTenantsTests : IClassFixture<SeveralTenantsTests.Fixture>
{
    private readonly Fixture _f;

    public SeveralTenantsTests(Fixture fixture) => _f = fixture;

    [Fact]
    public async Task EachAuthoritysToken_IsAcceptedWhereItBelongs_AndRefusedElsewhere()
    {
        var main = await Fixture.SignInAsync(_f.Main, "alice");
        var eu = await Fixture.SignInAsync(_f.Eu, "erik");

        using var mainOnMain = await _f.SendAsync("/main-only/x", main);
        using var euOnEu = await _f.SendAsync("/eu-only/x", eu);
        using var mainOnPlain = await _f.SendAsync("/plain/x", main);
        using var euOnPlain = await _f.SendAsync("/plain/x", eu);
        Assert.Equal(HttpStatusCode.OK, mainOnMain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, euOnEu.StatusCode);
        Assert.Equal(HttpStatusCode.OK, mainOnPlain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, euOnPlain.StatusCode);
        Assert.Equal(["auth0|erik"], _f.Backend.Requests[^1].Header("X-User-Id"));

        var before = _f.Backend.Requests.Count;
        using var mainOnEu = await _f.SendAsync("/eu-only/x", main);
        using var euOnMain = await _f.SendAsync("/main-only/x", eu);
        await AssertRefusedAsync(mainOnEu, "does not accept tokens from authority 'default'");
        await AssertRefusedAsync(euOnMain, "does not accept tokens from authority 'eu'");
        Assert.Equal(before, _f.Backend.Requests.Count);
    }

    [Fact]
    public async Task IssuerHeader_IsSentWhereSeveralAuthoritiesAreTaken_SoEqualSubsOfTwoTenantsStayApart()
    {
        var main = await Fixture.SignInAsync(_f.Main, "alice");
        var eu = await Fixture.SignInAsync(_f.Eu, "erik");

        using (var forged = await _f.SendAsync("/plain/x", eu, r => r.Headers.Add("X-User-Issuer", _f.Main.Address.AbsoluteUri)))
        {
            Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        }

        Assert.Equal([_f.Eu.Address.AbsoluteUri], _f.Backend.Requests[^1].Header("X-User-Issuer"));
        using (var plain = await _f.SendAsync("/plain/x", main))
        {
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        }

        Assert.Equal([_f.Main.Address.AbsoluteUri], _f.Backend.Requests[^1].Header("X-User-Issuer"));

        // An API of one tenant only: its users' ids are unambiguous, and a caller's copy is removed all the same.
        using (var single = await _f.SendAsync("/main-only/x", main, r => r.Headers.Add("X-User-Issuer", "https://forged.example/")))
        {
            Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        }

        Assert.Empty(_f.Backend.Requests[^1].Header("X-User-Issuer"));
    }

    [Fact]
    public async Task AnApisAudiences_NarrowWhatItsAuthorityAccepts()
    {
        var forOrders = await Fixture.SignInAsync(_f.Eu, "erik", audience: Fixture.EuOrders);
        var forTheApi = await Fixture.SignInAsync(_f.Eu, "erik");

        using var accepted = await _f.SendAsync("/orders-eu/x", forOrders);
        using var refused = await _f.SendAsync("/orders-eu/x", forTheApi);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await AssertRefusedAsync(refused, "audience is not one API 'orders-eu' accepts");
    }

    [Fact]
    public async Task TokenForAnotherApi_IsNeverExchanged()
    {
        var main = await Fixture.SignInAsync(_f.Main, "alice");
        var (mainBefore, euBefore) = (await Fixture.CountAsync(_f.Main, "delegations"), await Fixture.CountAsync(_f.Eu, "delegations"));

        using var response = await _f.SendAsync("/delegated-eu/x", main);

        await AssertRefusedAsync(response, "does not accept tokens from authority 'default'");
        Assert.Equal(mainBefore, await Fixture.CountAsync(_f.Main, "delegations"));
        Assert.Equal(euBefore, await Fixture.CountAsync(_f.Eu, "delegations"));
    }

    /// <summary>Auth0Delegation posts to the issuing tenant's /delegation (with the ID token, as GetDelegationToken did); TokenExchange to its discovered token endpoint.</summary>
    [Theory]
    [InlineData("delegated", "delegations", "alice", false)]
    [InlineData("delegated", "delegations", "erik", true)]
    [InlineData("exchanged", "tokenExchanges", "alice", false)]
    [InlineData("exchanged", "tokenExchanges", "erik", true)]
    public async Task Exchanges_GoToTheAuthorityThatIssuedTheCallersToken(string api, string counter, string user, bool fromEu)
    {
        var (issuing, other) = fromEu ? (_f.Eu, _f.Main) : (_f.Main, _f.Eu);
        var token = await Fixture.SignInAsync(issuing, user, idToken: api == "delegated");
        var (issuingBefore, otherBefore) = (await Fixture.CountAsync(issuing, counter), await Fixture.CountAsync(other, counter));

        using var response = await _f.SendAsync($"/{api}/x", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(issuingBefore + 1, await Fixture.CountAsync(issuing, counter));
        Assert.Equal(otherBefore, await Fixture.CountAsync(other, counter));
        var credential = _f.Backend.Requests[^1].Header("Authorization").Single()["Bearer ".Length..];
        Assert.Equal(issuing.Address.AbsoluteUri, Claim(credential, "iss"));
    }

    [Fact]
    public async Task AnIssuerNobodyConfigured_Is401_WithoutAnyCallToAnAuthority()
    {
        await using var stranger = await TestAuthority.StartAsync();
        var claims = stranger.Tokens("https://api.test").Claims();
        var readsBefore = _f.MetadataReads();

        using var response = await _f.SendAsync("/plain/x", stranger.Tokens("https://api.test").Sign(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, stranger.JwksReads);
        Assert.Equal(readsBefore, _f.MetadataReads());
    }

    [Fact]
    public void WhatAnOperatorShouldDecide_IsWarnedAboutAtStart()
    {
        var warnings = _f.Logs.Lines.Where(l => l.Contains("accept exactly the same audiences", StringComparison.Ordinal)).ToList();

        // "delegated" and "exchanged" take any audience of either authority; "delegated-eu" only eu's, and the
        // None APIs exchange nothing.
        Assert.Contains(warnings, l => l.Contains("APIs delegated, exchanged exchange", StringComparison.Ordinal) && l.Contains("authority default", StringComparison.Ordinal));
        Assert.Contains(warnings, l => l.Contains("APIs delegated, delegated-eu, exchanged exchange", StringComparison.Ordinal) && l.Contains("authority eu", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, l => l.Contains("main-only", StringComparison.Ordinal) || l.Contains("orders-eu", StringComparison.Ordinal));

        // Users of both tenants reach the APIs that name no Authorities; the ones that name theirs are not listed.
        var everyTenant = Assert.Single(_f.Logs.Lines, l => l.Contains("name no Authorities", StringComparison.Ordinal));
        Assert.Contains("APIs delegated, echo-none, echo-pass, exchanged, orders-eu name no Authorities", everyTenant, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_NamesEachAuthority()
    {
        using var response = await _f.Gateway.Client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("authority").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("authority:eu").GetProperty("status").GetString());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string because)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains(because, challenge, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
    }

    private static string? Claim(string jwt, string name) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]))![name]?.GetValue<string>();

    public sealed class Fixture : IAsyncLifetime
    {
        public const string Secret = "gateway-client-secret-for-tests";
        public const string EuOrders = "https://orders.eu.test";

        public RunningApp Main { get; private set; } = null!;

        public RunningApp Eu { get; private set; } = null!;

        public RecordingBackend Backend { get; private set; } = null!;

        public RunningApp Gateway { get; private set; } = null!;

        public CapturingLoggerProvider Logs { get; } = new();

        public async Task InitializeAsync()
        {
            Main = await StartAuthorityAsync("main", ("alice", "auth0|alice"));
            Eu = await StartAuthorityAsync("eu", ("erik", "auth0|erik"));
            Backend = await RecordingBackend.StartAsync();

            var config = GatewayConfig.Default(Main.Address.AbsoluteUri, Backend.Address);
            var gateway = config["Gateway"]!;
            gateway["Authentication"]!["Audiences"] = new JsonArray("https://api.test", "todo-mobile");
            gateway["Authentication"]!["Authorities"] = new JsonObject
            {
                ["eu"] = new JsonObject
                {
                    ["Authority"] = Eu.Address.AbsoluteUri,
                    ["Audiences"] = new JsonArray("https://api.test", EuOrders, "todo-mobile"),
                    ["RequireHttpsMetadata"] = false,
                },
            };
            var apis = gateway["Apis"]!.AsObject();
            apis["main-only"] = new JsonObject { ["Exchange"] = "None", ["Authorities"] = new JsonArray("default") };
            apis["eu-only"] = new JsonObject { ["Exchange"] = "None", ["Authorities"] = new JsonArray("eu") };
            apis["orders-eu"] = new JsonObject { ["Exchange"] = "None", ["Audiences"] = new JsonArray(EuOrders) };
            apis["delegated"] = new JsonObject { ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["ApiType"] = "app" };
            apis["delegated-eu"] = new JsonObject { ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["Authorities"] = new JsonArray("eu") };
            apis["exchanged"] = new JsonObject { ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = Secret, ["Audience"] = "https://orders.test" };
            var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
            foreach (var name in new[] { "main-only", "eu-only", "orders-eu", "delegated", "delegated-eu", "exchanged" })
            {
                routes[name] = GatewayConfig.Route($"/{name}/{{**rest}}", name);
            }

            Gateway = await RunningApp.StartAsync(
                args => GatewayApp.Build(args, services => services.AddLogging(l => l.AddProvider(Logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace))),
                [$"--config={GatewayConfig.Write(config)}"]);
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Backend.DisposeAsync();
            await Eu.DisposeAsync();
            await Main.DisposeAsync();
        }

        /// <summary>An access token for <paramref name="audience"/> (or the ID token), from <paramref name="authority"/>'s password grant.</summary>
        public static async Task<string> SignInAsync(RunningApp authority, string user, string audience = "https://api.test", bool idToken = false)
        {
            using var response = await authority.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["client_id"] = "todo-mobile", ["username"] = user, ["password"] = user + "-pw",
                ["audience"] = audience, ["scope"] = "openid",
            }));
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(idToken ? "id_token" : "access_token").GetString()!;
        }

        public async Task<HttpResponseMessage> SendAsync(string path, string token, Action<HttpRequestMessage>? configure = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            configure?.Invoke(request);
            return await Gateway.Client.SendAsync(request);
        }

        /// <summary>What the local authority has served: <c>delegations</c>, <c>tokenExchanges</c>.</summary>
        public static async Task<int> CountAsync(RunningApp authority, string counter) =>
            (await authority.Client.GetFromJsonAsync<JsonElement>("/admin/stats")).GetProperty(counter).GetInt32();

        /// <summary>Every read of any authority's metadata this gateway made (its own count; the process's meters are shared by every test's gateway).</summary>
        public int MetadataReads() => Gateway.Services.GetRequiredService<GatewayAuthorities>().All.Sum(a => a.Metadata.FetchCount);

        private static Task<RunningApp> StartAuthorityAsync(string name, (string User, string Subject) user)
        {
            var state = TempDirectory.Create("authority-" + name);
            return RunningApp.StartAsync(LocalAuthorityApp.Build,
            [
                $"--LocalAuthority:KeyFile={Path.Combine(state, "keys.json")}",
                "--LocalAuthority:Clients:todo-mobile:Name=Todo mobile",
                $"--LocalAuthority:Clients:gateway:Secret={Secret}",
                "--LocalAuthority:Clients:other-app:Name=Another add-on target",
                $"--LocalAuthority:Users:{user.User}:Password={user.User}-pw",
                $"--LocalAuthority:Users:{user.User}:Subject={user.Subject}",
            ]);
        }
    }
}
