using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Observability;

/// <summary>
/// The gateway's process with <c>Logging:Console:FormatterName=json</c>, everything at Trace: one JSON object per line,
/// the lines a request writes carry its trace id, and no token, secret or credential is in any line.
/// </summary>
public sealed class JsonLogTests : IAsyncLifetime
{
    private readonly NoBreakerDelegationFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task JsonConsole_OneObjectPerLine_RequestLinesCarryTheTraceId_NoSecretAtAnyLevel()
    {
        await using var gateway = await GatewayProcess.StartAsync(
        [
            $"--config={_f.ConfigPath}",
            "--Logging:Console:FormatterName=json",
            "--Logging:Console:FormatterOptions:IncludeScopes=true",
            "--Logging:LogLevel:Default=Trace",
        ]);
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var secrets = new List<string> { DelegationFixture.GatewaySecret, DelegationFixture.WamsMasterKey, DelegationFixture.AwsRootSecret };
        var traceIds = new List<string>();

        foreach (var mode in new[] { "None", "Refuse" })
        {
            await _f.SetFailureModeAsync(mode);
            foreach (var api in new[] { "wams-delegated-recorded", "wams-minted-recorded", "orders", "aws-recorded", "app-delegated" })
            {
                var (accessToken, idToken) = await _f.SignInAsync("alice");
                secrets.Add(accessToken);
                secrets.Add(idToken);
                var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
                traceIds.Add(traceId);
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/{api}/x");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", api == "orders" ? accessToken : idToken);
                request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
                request.Headers.Add("X-ZUMO-AUTH", "forged-zumo-credential-0123456789");
                using var response = await client.SendAsync(request);
            }
        }

        // A bad token: its refusal is logged, within its request.
        var (_, tampered) = await _f.SignInAsync("bob");
        secrets.Add(tampered);
        var refusedTrace = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using (var bad = new HttpRequestMessage(HttpMethod.Get, "/app-delegated/x"))
        {
            bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tampered[..^4] + "AAAA");
            bad.Headers.Add("traceparent", $"00-{refusedTrace}-00f067aa0ba902b7-01");
            using var response = await client.SendAsync(bad);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await gateway.TerminateAsync();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(40)));

        // What the backends received: delegated credentials, never to be logged either.
        secrets.AddRange(_f.Recorder.Requests.SelectMany(r => r.Header("Authorization").Concat(r.Header("X-ZUMO-AUTH"))).Select(v => v.Replace("Bearer ", string.Empty, StringComparison.Ordinal)));
        secrets.AddRange(AwsSecrets.From(_f.Recorder.Requests));
        secrets.Add("forged-zumo-credential-0123456789");

        var lines = gateway.Output;
        Assert.True(lines.Count > 200, $"only {lines.Count} lines at Trace");
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        Assert.All(entries, e =>
        {
            Assert.True(e.TryGetProperty("EventId", out _));
            Assert.True(e.TryGetProperty("LogLevel", out _));
            Assert.True(e.TryGetProperty("Category", out _));
            Assert.True(e.TryGetProperty("Message", out _));
        });

        // Every request above wrote its lines under its own trace id: ASP.NET Core's, and the gateway's where it had something to say.
        var refusal = Assert.Single(entries, e => e.GetProperty("Category").GetString() == "WamsGateway.Authentication.GatewayJwtBearerEvents" && e.GetProperty("EventId").GetInt32() == 110);
        Assert.Equal(refusedTrace, TraceIdOf(refusal));
        foreach (var traceId in traceIds)
        {
            Assert.Contains(entries, e => TraceIdOf(e) == traceId && e.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics");
        }

        var refusedExchanges = entries.Where(e => e.GetProperty("Category").GetString() == "WamsGateway.Delegation.DelegationMiddleware").Select(TraceIdOf).Distinct().ToList();
        Assert.True(refusedExchanges.Count >= 4 && refusedExchanges.All(t => t is not null && traceIds.Contains(t)), "the refused exchanges were logged under their requests' trace ids");

        var everything = string.Join('\n', lines.Concat(gateway.Errors));
        foreach (var secret in secrets.Where(s => s.Length >= 16).Distinct())
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            var signature = secret.Split('.').Last();
            if (signature.Length > 20)
            {
                Assert.DoesNotContain(signature, everything, StringComparison.Ordinal);
            }
        }
    }

    private static string? TraceIdOf(JsonElement entry) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _)).Select(s => s.GetProperty("TraceId").GetString()).FirstOrDefault()
            : null;
}
