using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Forwarding;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Tests.Forwarding;

/// <summary>
/// The identity headers read the caller's claims in one pass; what they send is what a search per header would have
/// found, whatever shape the principal has after the host's own steps (several identities, null ones, plain ones).
/// </summary>
public sealed class IdentityHeadersTransformTests
{
    private static readonly KeyValuePair<string, string>[] Headers =
    [
        new("X-User-Id", "sub"),
        new("X-Client-Id", "azp"),
        new("X-User-Email", "email"),
    ];

    [Fact]
    public async Task APrincipalWithANullIdentity_GetsTheHeadersOfItsOtherIdentities()
    {
        var principal = new ClaimsPrincipal([Token(new Claim("sub", "alice"), new Claim("azp", "app")), null!]);

        var sent = await ApplyAsync(principal);

        Assert.Equal("alice", sent["X-User-Id"]);
        Assert.Equal("app", sent["X-Client-Id"]);
    }

    [Fact]
    public async Task AClaimTwiceAcrossIdentities_SendsNoHeader_AndTheFirstAzpWinsOverAnyClientId()
    {
        var added = new ClaimsIdentity([new Claim("SUB", "mallory"), new Claim("client_id", "other"), new Claim("email", "a@example.com")], "host");
        var principal = new ClaimsPrincipal([Token(new Claim("sub", "alice"), new Claim("email", "b@example.com")), added, Token(new Claim("azp", "app"))]);

        var sent = await ApplyAsync(principal);

        // The plain identity's SUB is a sub (ClaimsIdentity ignores case): two subjects, none sent; two emails, none sent.
        Assert.False(sent.ContainsKey("X-User-Id"));
        Assert.False(sent.ContainsKey("X-User-Email"));
        Assert.Equal("app", sent["X-Client-Id"]);
    }

    [Fact]
    public async Task IdentityModelsIdentity_MatchesClaimTypesExactly()
    {
        var sent = await ApplyAsync(new ClaimsPrincipal(Token(new Claim("SUB", "alice"), new Claim("client_id", "app"))));

        Assert.False(sent.ContainsKey("X-User-Id"));
        Assert.Equal("app", sent["X-Client-Id"]);
    }

    private static CaseSensitiveClaimsIdentity Token(params Claim[] claims) => new(claims, "token");

    private static async Task<Dictionary<string, string>> ApplyAsync(ClaimsPrincipal principal)
    {
        using var request = new HttpRequestMessage();
        var context = new RequestTransformContext
        {
            HttpContext = new DefaultHttpContext { User = principal },
            ProxyRequest = request,
            Path = "/",
            DestinationPrefix = "http://backend/",
            HeadersCopied = true,
        };

        await new IdentityHeadersTransform(Headers, requireVerifiedEmail: false).ApplyAsync(context);
        return request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
    }
}
