using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Observability;

/// <summary>
/// A client spraying bad tokens costs no disk: each refusal is counted and logged at Debug, and at Information one
/// line per minute per reason says how many there were.
/// </summary>
public sealed class RefusalLogTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CapturingLoggerProvider _logs = new();
    private GatewayFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = new GatewayFixture
        {
            ConfigureServices = services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time));
                services.AddLogging(logging => logging.AddProvider(_logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
            },
        };
        await _f.InitializeAsync();
    }

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task AFloodOfBadTokens_IsLoggedAtDebug_AndSummedUpOncePerMinutePerReason()
    {
        var good = _f.Tokens.Valid();
        for (var i = 0; i < 40; i++)
        {
            using var response = await _f.SendAsync("/none/flood", good[..^6] + "AAAAAA");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var response = await _f.SendAsync("/none/flood", "not-a-jwt");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var gatewayLines = _logs.Lines.Where(l => l.Contains(" WamsGateway.", StringComparison.Ordinal)).ToList();
        Assert.Equal(40, gatewayLines.Count(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("Rejected a bearer token: invalid_signature", StringComparison.Ordinal)));
        Assert.DoesNotContain(gatewayLines, l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal) && l.Contains("Rejected", StringComparison.Ordinal));
        Assert.DoesNotContain(gatewayLines, l => l.Contains("Refused 4", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromMinutes(1));

        var summaries = _logs.Lines.Where(l => l.StartsWith("Information WamsGateway.Observability.RefusalLog", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, summaries.Count);
        Assert.Contains(summaries, l => l.Contains("Refused 40 request(s) since the last summary: invalid_signature (authority default)", StringComparison.Ordinal));
        Assert.Contains(summaries, l => l.Contains("Refused 5 request(s) since the last summary: malformed (authority none)", StringComparison.Ordinal));

        // A quiet minute says nothing.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, _logs.Lines.Count(l => l.StartsWith("Information WamsGateway.Observability.RefusalLog", StringComparison.Ordinal)));
    }
}
