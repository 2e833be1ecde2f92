using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WamsGateway.Tests.Support;
using Xunit.Abstractions;

namespace WamsGateway.Tests.Authentication;

/// <summary>
/// A couple of thousand tokens with valid signatures and random claim shapes,
/// against every route kind. No answer is a 5xx other than the documented exchange outcomes; every
/// error the gateway produces is problem+json; no header a backend receives carries a control
/// character. The seed is fixed and named in every failure, so a failure reproduces.
/// </summary>
public sealed class TokenFuzzTests : IClassFixture<HostileTokenFixture>
{
    private const int Seed = 20261125;
    private const int Tokens = 2000;

    private static readonly Dictionary<int, string[]> GatewayErrors = new()
    {
        [401] = ["invalid_token"],
        [403] = ["client_not_allowed", "insufficient_scope", "delegation_denied"],
        [502] = ["delegation_invalid_response"],
        [503] = ["delegation_unavailable"],
    };

    private readonly HostileTokenFixture _f;
    private readonly ITestOutputHelper _output;

    public TokenFuzzTests(HostileTokenFixture fixture, ITestOutputHelper output)
    {
        _f = fixture;
        _output = output;
    }

    [Fact]
    public async Task Gateway_RandomSignedTokens_NeverAnswer5xxOrForwardAnUnsafeHeader()
    {
        var tokens = _f.Tokens;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var failures = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var reasons = new ConcurrentDictionary<string, int>();
        var proxied = new ConcurrentDictionary<string, (int Index, string Route)>();
        var stopwatch = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, Tokens), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            // Each token has its own generator, so a failure reproduces from (seed, index) alone.
            var payload = new ClaimFuzzer(HashCode.Combine(Seed, i), _f.Issuer, now).Payload();
            var token = tokens.SignRaw(payload);
            foreach (var route in new[] { HostileTokenFixture.PlainRoutes[i % 4], HostileTokenFixture.ExchangeRoutes[i % 5] })
            {
                var marker = $"{i}-{route}";
                using var response = await _f.SendAsync(HttpMethod.Get, $"/{route}/fuzz?m={marker}", token);
                var status = (int)response.StatusCode;
                outcomes.AddOrUpdate($"{route} {status}", 1, (_, n) => n + 1);
                if (status == 401 && response.Headers.WwwAuthenticate.FirstOrDefault()?.Parameter is { } challenge)
                {
                    // Why tokens were refused, roughly, so a generator that stopped reaching the code behind validation shows.
                    reasons.AddOrUpdate(challenge.Length > 70 ? challenge[..70] : challenge, 1, (_, n) => n + 1);
                }

                if (await ProblemWithAnswerAsync(response, route) is { } problem)
                {
                    failures.Enqueue($"token #{i} on /{route}: {problem}; payload {Escape(payload)}");
                }
                else if (status == 200)
                {
                    proxied[marker] = (i, route);
                }
            }
        });

        foreach (var received in _f.Recorder.Requests.Where(r => r.PathAndQuery.Contains("/fuzz?m=", StringComparison.Ordinal)))
        {
            var marker = received.PathAndQuery[(received.PathAndQuery.IndexOf("?m=", StringComparison.Ordinal) + 3)..];
            proxied.TryRemove(marker, out _);
            foreach (var (name, values) in received.Headers)
            {
                if (values.Any(v => v.Any(c => c is < ' ' or '\u007f')) || name.Any(c => c is < '!' or > '~'))
                {
                    failures.Enqueue($"{marker}: the backend received header {Escape(name)}: {Escape(string.Join(", ", values))}");
                }
            }
        }

        foreach (var (marker, _) in proxied)
        {
            failures.Enqueue($"{marker}: answered 200 but the backend never saw it");
        }

        _output.WriteLine($"seed {Seed}, {Tokens} tokens, {stopwatch.Elapsed.TotalSeconds:F1} s");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            _output.WriteLine($"{outcome}: {count}");
        }

        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(12))
        {
            _output.WriteLine($"401 {count}x {reason}");
        }

        Assert.True(failures.IsEmpty, $"Seed {Seed}: {failures.Count} failures; the first:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(10))}");

        // Most tokens must get past validation, or the fuzz exercises nothing behind it.
        Assert.True(outcomes.Where(o => o.Key.EndsWith(" 200", StringComparison.Ordinal) && !o.Key.StartsWith("anon ", StringComparison.Ordinal)).Sum(o => o.Value) > Tokens / 2,
            $"Seed {Seed}: too few tokens were accepted: {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))}");
    }

    /// <summary>What is wrong with an answer, or null when it is one the contract allows.</summary>
    private static async Task<string?> ProblemWithAnswerAsync(HttpResponseMessage response, string route)
    {
        var status = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (header.Value.Any(v => v.Any(c => c is < ' ' or > '~')))
            {
                return $"{status} with an unsafe {header.Key} header";
            }
        }

        if (status == 200)
        {
            return null;
        }

        if (!GatewayErrors.TryGetValue(status, out var types) || (status >= 500 && !HostileTokenFixture.ExchangeRoutes.Contains(route)))
        {
            return $"status {status}: {await BodyAsync(response)}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} is not problem+json: {await BodyAsync(response)}";
        }

        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        var type = problem.RootElement.GetProperty("type").GetString();
        if (!types.Contains(type) || (status == 403 && type == "delegation_denied" && !HostileTokenFixture.ExchangeRoutes.Contains(route)))
        {
            return $"{status} with problem type {type}";
        }

        if (status == 401 && response.Headers.WwwAuthenticate.Count == 0)
        {
            return "401 without WWW-Authenticate";
        }

        return null;
    }

    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return Escape(body.Length > 300 ? body[..300] : body);
    }

    private static string Escape(string text)
    {
        var shown = text.Length > 600 ? text[..600] + "…" : text;
        return JsonSerializer.Serialize(shown);
    }
}
