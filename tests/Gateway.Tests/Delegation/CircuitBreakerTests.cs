using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Delegation;

/// <summary>A failing authority opens its circuit: the gateway answers 503 without asking it, then tries again after the break.</summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    private readonly DelegationFixture _f = new()
    {
        Customize = config =>
        {
            config["Gateway"]!["Delegation"]!["BreakerMinimumThroughput"] = 4;
            config["Gateway"]!["Delegation"]!["BreakDuration"] = "00:00:01";
            // The breaker alone: no remembered outcome answers for it.
            config["Gateway"]!["Delegation"]!["RememberUnavailable"] = "00:00:00";
        },
    };

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task FailingAuthority_OpensCircuitThenRecovers()
    {
        var (_, idToken) = await _f.SignInAsync();
        await _f.SetFailureModeAsync("ServerError");
        for (var i = 0; i < 3; i++)
        {
            using var failing = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        }

        var asked = await _f.DelegationsAsync();
        using (var shortCircuited = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, shortCircuited.StatusCode);
        }

        Assert.Equal(asked, await _f.DelegationsAsync());

        await _f.SetFailureModeAsync("None");
        var recovered = await WamsGateway.TestSupport.Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, recovered);
    }
}

/// <summary>STS calls go through the delegation pipeline too: a failing STS opens its circuit like any provider.</summary>
public sealed class StsCircuitBreakerTests : IAsyncLifetime
{
    private readonly DelegationFixture _f = new()
    {
        Customize = config =>
        {
            config["Gateway"]!["Delegation"]!["BreakerMinimumThroughput"] = 4;
            config["Gateway"]!["Delegation"]!["BreakDuration"] = "00:00:30";
            config["Gateway"]!["Delegation"]!["RememberUnavailable"] = "00:00:00";
        },
    };

    public Task InitializeAsync() => _f.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _f.SetStsErrorAsync("none");
        await _f.DisposeAsync();
    }

    [Fact]
    public async Task FailingSts_OpensItsCircuit_ThenStsIsNotAsked()
    {
        var (access, _) = await _f.SignInAsync();
        await _f.SetStsErrorAsync("InternalFailure");

        // Each request is one attempt and one retry (5xx is transient): two requests make the four calls the breaker needs.
        for (var i = 0; i < 2; i++)
        {
            using var failing = await _f.SendAsync(HttpMethod.Get, "/aws-recorded/x", access);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        }

        var asked = await _f.StsCallsAsync();
        Assert.Equal(4, asked);
        using (var shortCircuited = await _f.SendAsync(HttpMethod.Get, "/aws-recorded/x", access))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, shortCircuited.StatusCode);
        }

        Assert.Equal(asked, await _f.StsCallsAsync());
    }
}
