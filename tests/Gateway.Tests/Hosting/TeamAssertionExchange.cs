using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WamsGateway.Exchanges;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Tests.Hosting;

/// <summary>A team's own exchange kind's settings: the key its backend shares with the gateway.</summary>
public sealed class TeamAssertionOptions
{
    /// <summary>The HMAC key the backend verifies with (at least 16 characters).</summary>
    public string? Key { get; set; }

    /// <summary>How long an assertion lasts; default five minutes.</summary>
    public TimeSpan? Lifetime { get; set; }
}

/// <summary>What the kind yields and caches: a credential type of the team's own, not a bearer token.</summary>
public sealed record TeamAssertion(string Subject, long Expires, string Signature, DateTimeOffset ExpiresAt) : DelegatedCredential(ExpiresAt);

/// <summary>
/// A kind written outside the gateway, as a team would: it signs "subject|expiry" with the API's key and
/// sends subject and signature in two headers of its own. It is the example of docs/your-own-kind.md.
/// </summary>
public sealed class TeamAssertionExchange(TimeProvider time) : ExchangeKind<TeamAssertionOptions>
{
    private int _exchanges;

    /// <summary>How many times the gateway asked this kind for a credential (the cache answers the rest).</summary>
    public int Exchanges => _exchanges;

    public override IReadOnlyList<Type> CredentialTypes { get; } = [typeof(TeamAssertion)];

    public override void Validate(TeamAssertionOptions options, ExchangeValidationContext context)
    {
        if (options.Key is not { Length: >= 16 })
        {
            context.Problem("Key", "required, at least 16 characters; the key the backend verifies X-Team-Assertion with.");
        }
    }

    public override IEnumerable<string> CredentialHeaders(TeamAssertionOptions options) => ["X-Team-Subject", "X-Team-Assertion"];

    public override Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<TeamAssertionOptions> request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _exchanges);
        var subject = request.User.FindFirst("sub")?.Value
            ?? throw new DelegationException(DelegationFailure.Denied, "The token has no sub.", "invalid_token");
        var end = time.GetUtcNow() + (request.Options.Lifetime ?? TimeSpan.FromMinutes(5));
        var expiresAt = end < request.SubjectExpiresAt ? end : request.SubjectExpiresAt;
        var expires = expiresAt.ToUnixTimeSeconds();
        return Task.FromResult<DelegatedCredential>(new TeamAssertion(subject, expires, Sign(request.Options.Key!, subject, expires), expiresAt));
    }

    public override void Apply(RequestTransformContext context, TeamAssertionOptions options, DelegatedCredential credential)
    {
        var assertion = (TeamAssertion)credential;
        RequestTransform.AddHeader(context, "X-Team-Subject", assertion.Subject);
        RequestTransform.AddHeader(context, "X-Team-Assertion", $"{assertion.Expires}.{assertion.Signature}");
    }

    /// <summary>What the backend computes to check an assertion.</summary>
    public static string Sign(string key, string subject, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{subject}|{expires.ToString(CultureInfo.InvariantCulture)}")));
}
