using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Forwarding;

/// <summary>AwsSts end to end in the standalone gateway.</summary>
public sealed class AwsSigningTests(NoBreakerDelegationFixture fixture) : AwsSigningTestsBase<NoBreakerDelegationFixture>(fixture);

/// <summary>
/// AwsSts end to end: per-user STS credentials, and requests SigV4-signed after every transform,
/// checked by the sample backend's own verifier (not the signer under test). Run in each host.
/// </summary>
/// <typeparam name="TFixture">The authority, backends and gateway host.</typeparam>
public abstract class AwsSigningTestsBase<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : DelegationFixture
{
    private readonly TFixture _f;

    protected AwsSigningTestsBase(TFixture fixture)
    {
        _f = fixture;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _f.SetStsErrorAsync("none");
        await _f.SetFailureModeAsync("None");
    }

    [Fact]
    public async Task Get_WithQuery_IsSignedAfterThePrefixTransforms()
    {
        var (access, _) = await _f.SignInAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/aws-api/orders/42?sort=desc&filter=a%20b&empty=&z=1", access);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth0|alice", body.GetProperty("user").GetString());
        Assert.Equal(DelegationFixture.RoleArn, body.GetProperty("role").GetString());
        Assert.Equal("/aws/execute-api/orders/42", body.GetProperty("path").GetString());
        Assert.Equal("?sort=desc&filter=a%20b&empty=&z=1", body.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Post_WithBody_SignsItsHash()
    {
        var (access, _) = await _f.SignInAsync();
        var payload = """{"item":"milk","quantity":2}""";

        using var response = await _f.SendAsync(HttpMethod.Post, "/aws-api/orders", access, configure: r => r.Content = new StringContent(payload, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload))), body.GetProperty("bodySha256").GetString());
        Assert.Equal("POST", body.GetProperty("method").GetString());
    }

    [Fact]
    public async Task S3_PutThenGet_ObjectsArePerUser()
    {
        var (alice, _) = await _f.SignInAsync("alice");
        var (bob, _) = await _f.SignInAsync("bob");
        var content = Encoding.UTF8.GetBytes("alice's report " + Guid.NewGuid());
        const string Path = "/aws-files/docs/q3%20report+final.txt";

        using (var put = await _f.SendAsync(HttpMethod.Put, Path, alice, configure: r => r.Content = new ByteArrayContent(content)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("user-files/docs/q3 report+final.txt", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        }

        using var get = await _f.SendAsync(HttpMethod.Get, Path, alice);
        using var bobGet = await _f.SendAsync(HttpMethod.Get, Path, bob);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, bobGet.StatusCode);
    }

    [Fact]
    public async Task SignedHeaders_ReplayedOnAnotherPath_AreRefusedByTheBackend()
    {
        var (access, _) = await _f.SignInAsync();
        var marker = Guid.NewGuid().ToString("N");
        using (var signed = await _f.SendAsync(HttpMethod.Get, $"/aws-recorded/orders/1?m={marker}", access))
        {
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        }

        var received = Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(_f.WamsBackend.Address, "aws/execute-api/orders/42"));
        foreach (var (name, values) in received.Headers.Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || h.Key == "Authorization"))
        {
            replay.Headers.TryAddWithoutValidation(name, values);
        }

        Assert.NotEmpty(replay.Headers.GetValues("X-Amz-Security-Token"));

        using var response = await _f.WamsBackend.Client.SendAsync(replay);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ManyRequests_OneStsCallPerToken()
    {
        var (access, _) = await _f.SignInAsync();
        var before = await _f.StsCallsAsync();

        for (var i = 0; i < 5; i++)
        {
            using var response = await _f.SendAsync(HttpMethod.Get, $"/aws-api/n/{i}", access);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before + 1, await _f.StsCallsAsync());
    }

    [Fact]
    public async Task ClientSentAmzHeaders_AreReplaced()
    {
        var (access, _) = await _f.SignInAsync();
        var marker = Guid.NewGuid().ToString("N");

        using var response = await _f.SendAsync(HttpMethod.Get, $"/aws-recorded/x?m={marker}", access, configure: r =>
        {
            r.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "forged-session");
            r.Headers.TryAddWithoutValidation("x-amz-date", "20150830T123600Z");
            r.Headers.TryAddWithoutValidation("X-Amz-Meta-Owner", "mallory");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIA", Assert.Single(received.Header("Authorization")), StringComparison.Ordinal);
        Assert.NotEqual("forged-session", Assert.Single(received.Header("X-Amz-Security-Token")));
        Assert.NotEqual("20150830T123600Z", Assert.Single(received.Header("X-Amz-Date")));
        Assert.Empty(received.Header("X-Amz-Meta-Owner"));
        Assert.Equal(["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], received.Header("x-amz-content-sha256"));
    }

    [Fact]
    public async Task BodyOverLimit_Is413ForSignedServicesAndUnsignedForS3()
    {
        var (access, _) = await _f.SignInAsync();
        var big = new byte[100];

        using var signed = await _f.SendAsync(HttpMethod.Post, "/aws-small/upload", access, configure: r => r.Content = new ByteArrayContent(big));
        using var s3 = await _f.SendAsync(HttpMethod.Put, "/aws-small-files/big.bin", access, configure: r => r.Content = new ByteArrayContent(big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, signed.StatusCode);
        await ProblemAssert.IsProblemAsync(signed, "payload_too_large");
        Assert.Equal(HttpStatusCode.OK, s3.StatusCode);
        using var back = await _f.SendAsync(HttpMethod.Get, "/aws-small-files/big.bin", access);
        Assert.Equal(big, await back.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BodyOverTheServersOwnLimit_Is413_WithOrWithoutALength()
    {
        var (access, _) = await _f.SignInAsync();
        await using var gateway = await _f.StartGatewayAsync(services => services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024));
        var big = new byte[4096];

        using var withLength = await DelegationFixture.SendAsync(gateway, HttpMethod.Post, "/aws-api/upload", access, configure: r => r.Content = new ByteArrayContent(big));
        using var chunked = await DelegationFixture.SendAsync(gateway, HttpMethod.Post, "/aws-api/upload", access, configure: r => r.Content = new StreamContent(new MemoryStream(big)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
        await ProblemAssert.IsProblemAsync(withLength, "payload_too_large");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        await ProblemAssert.IsProblemAsync(chunked, "payload_too_large");
        Assert.Contains("up to 1024 bytes", await chunked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2BodyWithoutALength_IsHashedAndSigned()
    {
        var (access, _) = await _f.SignInAsync();
        await using var gateway = await _f.StartGatewayAsync(null, "--Kestrel:EndpointDefaults:Protocols=Http2");
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var payload = Encoding.UTF8.GetBytes("{\"item\":\"bread\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/aws-api/orders")
        {
            Content = new StreamContent(new MemoryStream(payload)),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), body.GetProperty("bodySha256").GetString());
    }

    [Fact]
    public async Task Auth0AwsAddOn_AsSource_SignsToo()
    {
        var (_, idToken) = await _f.SignInAsync();
        var before = await _f.DelegationsAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/aws-delegated/ping?x=1", idToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("auth0|alice", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
        Assert.Equal(before + 1, await _f.DelegationsAsync());
    }

    [Theory]
    [InlineData("InvalidIdentityToken", HttpStatusCode.Forbidden, "delegation_denied")]
    [InlineData("ExpiredTokenException", HttpStatusCode.Forbidden, "delegation_denied")]
    [InlineData("IDPRejectedClaim", HttpStatusCode.Forbidden, "delegation_denied")]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, "delegation_denied")]
    [InlineData("IDPCommunicationError", HttpStatusCode.ServiceUnavailable, "delegation_unavailable")]
    [InlineData("InternalFailure", HttpStatusCode.ServiceUnavailable, "delegation_unavailable")]
    [InlineData("Throttling", HttpStatusCode.ServiceUnavailable, "delegation_unavailable")]
    public async Task StsError_MapsToContractAnswer(string code, HttpStatusCode expected, string type)
    {
        var (access, _) = await _f.SignInAsync();
        await _f.SetStsErrorAsync(code);

        using var response = await _f.SendAsync(HttpMethod.Get, "/aws-api/x", access);

        Assert.Equal(expected, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, type);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
        else
        {
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task StsGarbage_Is502()
    {
        var (access, _) = await _f.SignInAsync();
        await _f.SetFailureModeAsync("Garbage");

        using var response = await _f.SendAsync(HttpMethod.Get, "/aws-api/x", access);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "delegation_invalid_response");
    }

    [Fact]
    public async Task StsUnreachable_Is503()
    {
        var (access, _) = await _f.SignInAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/aws-dead/x", access);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "delegation_unavailable");
    }

    [Theory]
    [InlineData("auth0|5441abc", "auth0-5441abc")]
    [InlineData("google-oauth2|1234567890", "google-oauth2-1234567890")]
    [InlineData("x", "wamsgateway-x")]
    [InlineData("user@example.com", "user@example.com")]
    public void RoleSessionName_IsValidForSts(string sub, string expected)
    {
        Assert.Equal(expected, WamsGateway.Exchanges.AwsSts.StsWebIdentity.RoleSessionName(sub));
    }

    [Fact]
    public void RoleSessionName_IsAtMost64Characters()
    {
        Assert.Equal(64, WamsGateway.Exchanges.AwsSts.StsWebIdentity.RoleSessionName(new string('a', 100)).Length);
    }
}
