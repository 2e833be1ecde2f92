using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>Two gateway replicas sharing a real redis-server: one exchange for the fleet, nothing readable in Redis.</summary>
public sealed class SharedCacheTests : IClassFixture<FleetFixture>
{
    private readonly FleetFixture _f;

    public SharedCacheTests(FleetFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task TokenUsedOnBothReplicas_OneExchange_SameCredential()
    {
        var (_, idToken) = await _f.SignInAsync();
        var before = await _f.DelegationsAsync();

        var onFirst = await ReceivedAuthorizationAsync(_f.Gateway, idToken);
        var onSecond = await ReceivedAuthorizationAsync(_f.SecondGateway, idToken);

        Assert.Equal(before + 1, await _f.DelegationsAsync());
        Assert.Equal(onFirst, onSecond);
    }

    [Fact]
    public async Task FortyConcurrentFirstRequestsAcrossReplicas_OneExchange()
    {
        var (accessToken, _) = await _f.SignInAsync();
        var before = await _f.TokenExchangesAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            DelegationFixture.SendAsync(i % 2 == 0 ? _f.Gateway : _f.SecondGateway, HttpMethod.Get, "/orders/concurrent", accessToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
    }

    [Fact]
    public async Task RedisDump_HoldsNoTokenSecretOrUserId()
    {
        var secrets = new List<string> { DelegationFixture.GatewaySecret, DelegationFixture.WamsMasterKey, "auth0|alice", "alice@example.com" };
        var (accessToken, idToken) = await _f.SignInAsync();
        secrets.AddRange([accessToken, idToken]);
        // Each API in front of the recorder, so every delegated credential is known below.
        foreach (var (route, token) in new[] { ("wams-delegated-recorded", idToken), ("wams-minted-recorded", idToken), ("orders", accessToken), ("app-delegated", idToken) })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, $"/{route}/dump", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var aws = await _f.SendAsync(HttpMethod.Get, "/aws-recorded/dump", accessToken))
        {
            Assert.Equal(HttpStatusCode.OK, aws.StatusCode);
        }

        secrets.AddRange(_f.Recorder.Requests.SelectMany(r => r.Header("Authorization")).Where(a => a.StartsWith("Bearer ", StringComparison.Ordinal)).Select(a => a["Bearer ".Length..]));
        var zumoTokens = _f.Recorder.Requests.SelectMany(r => r.Header("X-ZUMO-AUTH")).ToList();
        Assert.Equal(2, zumoTokens.Distinct().Count());
        secrets.AddRange(zumoTokens);
        var awsSecrets = AwsSecrets.From(_f.Recorder.Requests);
        Assert.NotEmpty(awsSecrets);
        secrets.AddRange(awsSecrets);

        var dump = (await RedisDump.ReadAsync(_f.Redis.Configuration)).ToDictionary(e => e.Key, e => e.Value.Text, StringComparer.Ordinal);

        Assert.Contains(dump.Keys, k => k.Contains("delegation:wams-minted", StringComparison.Ordinal));
        Assert.Contains(dump.Keys, k => k.Contains("dataprotection-keys", StringComparison.Ordinal));
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(dump, entry => entry.Key.Contains(secret, StringComparison.Ordinal) || entry.Value.Contains(secret, StringComparison.Ordinal));
            var signature = secret.Split('.').Last();
            Assert.DoesNotContain(dump, entry => signature.Length > 20 && entry.Value.Contains(signature, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task RedisTtl_NeverExceedsTheCredentialsLife()
    {
        // wams-minted credentials live 10 minutes; with the 60 s margin an entry may live 540 s.
        var (_, idToken) = await _f.SignInAsync();
        using (var response = await _f.SendAsync(HttpMethod.Get, "/wams-minted/api/whoami", idToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "*test:delegation:wams-minted:*").Where(k => !k.ToString().Contains("lock", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(500), TimeSpan.FromSeconds(540));
        }
    }

    private async Task<string> ReceivedAuthorizationAsync(RunningApp gateway, string token)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, $"/app-delegated/x?m={marker}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal)).Header("Authorization"));
    }
}

/// <summary>With KeyRingCertificatePath, the Data Protection key ring in Redis is itself encrypted: a dump holds no usable key.</summary>
public sealed class KeyRingCertificateTests : IAsyncLifetime
{
    private readonly FleetFixture _f = new KeyRingCertificateFleet(CreateCertificate());

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task KeyRingInRedis_IsEncryptedWithTheCertificate()
    {
        var (_, idToken) = await _f.SignInAsync();
        foreach (var gateway in new[] { _f.Gateway, _f.SecondGateway })
        {
            using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/wams-minted/api/whoami", idToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var keyRing = string.Join('\n', (await redis.GetDatabase().ListRangeAsync("test:dataprotection-keys")).Select(v => v.ToString()));

        Assert.Contains("<encryptedSecret", keyRing, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", keyRing, StringComparison.Ordinal);
    }

    private static string CreateCertificate()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=wamsgateway-key-ring", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(TempDirectory.Create("keyring-cert"), "key-ring.pfx");
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
        return path;
    }

    private sealed class KeyRingCertificateFleet : FleetFixture
    {
        public KeyRingCertificateFleet(string certificatePath)
        {
            var redisSettings = Customize!;
            Customize = config =>
            {
                redisSettings(config);
                config["Gateway"]!["Redis"]!.AsObject().Remove("KeyRingKey");
                config["Gateway"]!["Redis"]!["KeyRingCertificatePath"] = certificatePath;
                config["Gateway"]!["Redis"]!["KeyRingCertificatePassword"] = "pfx-password";
            };
        }
    }
}
