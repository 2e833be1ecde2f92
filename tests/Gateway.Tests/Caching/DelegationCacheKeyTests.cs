using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Exchanges.None;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// The cache key's format is shared by every replica and every version in a fleet (Redis keys): the API's
/// name and fingerprint, and the owner, the unpadded base64url SHA-256 of the caller's token as UTF-8.
/// </summary>
public sealed class DelegationCacheKeyTests
{
    private static readonly ApiDefinition Api = new("orders", NoExchange.Name, new NoExchange(), new ApiOptions(), new object(), "fp1");

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSJ9.c2ln")]
    [InlineData("a")]
    [InlineData("jalapeño-ünïcödé-токен-令牌-🔑")]
    [InlineData("\ud800 lone surrogate")]
    public void The_key_names_the_api_its_fingerprint_and_the_tokens_hash(string token)
    {
        var key = DelegationCacheKey.For(new DelegationRequest(Api, token, new ClaimsPrincipal(), DateTimeOffset.UnixEpoch));

        var expected = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        Assert.Equal(expected, key.Owner);
        Assert.Equal($"delegation:orders:fp1:{expected}", key.Value);
        if (token.Length >= 16)
        {
            Assert.DoesNotContain(token, key.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Concurrent_keys_on_many_threads_each_hash_their_own_token()
    {
        var tokens = Enumerable.Range(0, 2_000).Select(i => $"token-{i}-{new string('x', i % 300)}").ToArray();

        var keys = await Task.WhenAll(tokens.Select(token => Task.Run(() =>
            DelegationCacheKey.For(new DelegationRequest(Api, token, new ClaimsPrincipal(), DateTimeOffset.UnixEpoch)).Owner)));

        Assert.Equal(tokens.Select(t => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(t)))), keys);
    }
}
