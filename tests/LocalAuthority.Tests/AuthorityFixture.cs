using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.TestSupport;

namespace LocalAuthority.Tests;

/// <summary>The local authority on a real socket with one client, one secret-holding client and one demo user.</summary>
public sealed class AuthorityFixture : IAsyncDisposable
{
    private readonly string _keyFile = Path.Combine(TempDirectory.Create("authority"), "keys", "signing-keys.json");

    public RunningApp App { get; private set; } = null!;

    public string Issuer => App.Address.AbsoluteUri;

    public string KeyFile => _keyFile;

    public static async Task<AuthorityFixture> StartAsync()
    {
        var fixture = new AuthorityFixture();
        fixture.App = await fixture.StartAppAsync();
        return fixture;
    }

    public async Task RestartAsync()
    {
        await App.DisposeAsync();
        App = await StartAppAsync();
    }

    public async Task<HttpResponseMessage> PasswordGrantAsync(string password = "alice-password", string clientId = "mobile-app", string? audience = "https://api.test", string scope = "openid read:todo")
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = clientId, ["username"] = "alice", ["password"] = password, ["scope"] = scope,
        };
        if (audience is not null)
        {
            form["audience"] = audience;
        }

        return await App.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(form));
    }

    /// <summary>Validates a token the way a relying party would: keys from the JWKS, issuer, audience, lifetime.</summary>
    public async Task<TokenValidationResult> ValidateAsync(string token, string audience)
    {
        var jwks = new JsonWebKeySet(await App.Client.GetStringAsync(".well-known/jwks.json"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["RS256"],
        });
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private Task<RunningApp> StartAppAsync() => RunningApp.StartAsync(LocalAuthorityApp.Build,
    [
        $"--LocalAuthority:KeyFile={_keyFile}",
        "--LocalAuthority:Clients:mobile-app:Name=Mobile app",
        "--LocalAuthority:Clients:backend-service:Secret=s3cret",
        "--LocalAuthority:Users:alice:Password=alice-password",
        "--LocalAuthority:Users:alice:Subject=auth0|alice",
        "--LocalAuthority:Users:alice:Email=alice@example.com",
        "--LocalAuthority:Users:alice:Permissions:0=read:todo",
    ]);
}
