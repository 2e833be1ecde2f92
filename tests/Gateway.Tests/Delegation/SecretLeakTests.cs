using System.Text.Json;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Delegation;

/// <summary>
/// Drives every kind through success and every failure, at every log level, then looks for any
/// token, secret or master key in the gateway's log lines and answers.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private readonly NoBreakerDelegationFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task LogsAndAnswers_NeverContainTokensOrSecrets()
    {
        var secrets = new List<string> { DelegationFixture.GatewaySecret, DelegationFixture.WamsMasterKey };
        var answers = new List<string>();

        foreach (var mode in new[] { "None", "Refuse", "Unavailable", "ServerError", "RateLimited", "Garbage" })
        {
            await _f.SetFailureModeAsync(mode);
            await _f.SetStsErrorAsync(mode == "Refuse" ? "InvalidIdentityToken" : "none");
            foreach (var api in new[] { "wams-delegated", "wams-minted", "app-delegated", "orders", "orders-body", "scoped", "desktop-only", "dead-endpoint", "aws-api", "aws-delegated", "aws-recorded" })
            {
                var (accessToken, idToken) = await _f.SignInAsync("bob");
                var token = api.StartsWith("orders", StringComparison.Ordinal) ? accessToken : idToken;
                secrets.Add(accessToken);
                secrets.Add(idToken);

                using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/api/whoami", token);
                var body = await response.Content.ReadAsStringAsync();
                if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                {
                    answers.Add(response.Headers + body);
                }

                if (api.StartsWith("wams-", StringComparison.Ordinal))
                {
                    // The same API in front of the recorder, so the delegated credential is known below.
                    using var recorded = await _f.SendAsync(HttpMethod.Get, $"/{api}-recorded/x", token);
                }
            }
        }

        // What the backends received are delegated credentials: they must not be logged either.
        foreach (var recorded in _f.Recorder.Requests.SelectMany(r => r.Header("Authorization")).Where(a => a.StartsWith("Bearer ", StringComparison.Ordinal)))
        {
            secrets.Add(recorded["Bearer ".Length..]);
        }

        var zumoTokens = _f.Recorder.Requests.SelectMany(r => r.Header("X-ZUMO-AUTH")).ToList();
        Assert.NotEmpty(zumoTokens);
        secrets.AddRange(zumoTokens);

        var aws = AwsSecrets.From(_f.Recorder.Requests);
        Assert.NotEmpty(aws);
        secrets.AddRange(aws);

        Assert.True(_f.Logs.Lines.Count > 100, "the capture saw the gateway's logs");
        Assert.Contains(_f.Logs.Lines, l => l.Contains("Exchange for API", StringComparison.Ordinal));
        Assert.NotEmpty(answers);
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(_f.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(answers, answer => answer.Contains(secret, StringComparison.Ordinal));
            // A JWT's signature alone would identify it too.
            var signature = secret.Split('.').Last();
            if (signature.Length > 20)
            {
                Assert.DoesNotContain(_f.Logs.Lines, line => line.Contains(signature, StringComparison.Ordinal));
            }
        }
    }
}
