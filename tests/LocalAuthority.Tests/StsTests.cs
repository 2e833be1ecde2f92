using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using WamsGateway.TestSupport;

namespace LocalAuthority.Tests;

/// <summary>The authority's STS AssumeRoleWithWebIdentity, answering in STS's XML.</summary>
public sealed class StsTests : IAsyncLifetime
{
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    private RunningApp _app = null!;

    public async Task InitializeAsync() => _app = await RunningApp.StartAsync(LocalAuthorityApp.Build,
    [
        $"--LocalAuthority:KeyFile={Path.Combine(TempDirectory.Create("sts"), "keys.json")}",
        "--LocalAuthority:AwsRootSecret=root",
        "--LocalAuthority:Clients:mobile:Name=Mobile",
        "--LocalAuthority:Users:alice:Password=pw",
        "--LocalAuthority:Users:alice:Subject=auth0|alice",
    ]);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task AssumeRoleWithWebIdentity_IssuesCredentialsForTheUser()
    {
        using var response = await AssumeAsync(await IdTokenAsync(), "arn:aws:iam::123456789012:role/app", "alice-session", "900");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element(Ns + "AssumeRoleWithWebIdentityResult")!;
        var credentials = result.Element(Ns + "Credentials")!;
        Assert.StartsWith("ASIA", credentials.Element(Ns + "AccessKeyId")!.Value, StringComparison.Ordinal);
        Assert.Equal(40, credentials.Element(Ns + "SecretAccessKey")!.Value.Length);
        Assert.InRange(DateTimeOffset.Parse(credentials.Element(Ns + "Expiration")!.Value, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddSeconds(880), DateTimeOffset.UtcNow.AddSeconds(920));
        Assert.Equal("auth0|alice", result.Element(Ns + "SubjectFromWebIdentityToken")!.Value);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/app/alice-session", result.Element(Ns + "AssumedRoleUser")!.Element(Ns + "Arn")!.Value);
    }

    [Theory]
    [InlineData("not-a-token", "arn:aws:iam::123456789012:role/app", "session", "3600", "InvalidIdentityToken")]
    [InlineData(null, "arn:aws:iam::123456789012:role/app", "s", "3600", "ValidationError")]
    [InlineData(null, "not-an-arn", "session", "3600", "ValidationError")]
    [InlineData(null, "arn:aws:iam::123456789012:role/app", "session", "60", "ValidationError")]
    public async Task AssumeRoleWithWebIdentity_BadInput_IsAnStsError(string? token, string role, string session, string duration, string code)
    {
        using var response = await AssumeAsync(token ?? await IdTokenAsync(), role, session, duration);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element(Ns + "Error")!.Element(Ns + "Code")!.Value);
    }

    private async Task<string> IdTokenAsync()
    {
        using var response = await _app.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "mobile", ["username"] = "alice", ["password"] = "pw", ["scope"] = "openid",
        }));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id_token").GetString()!;
    }

    private Task<HttpResponseMessage> AssumeAsync(string token, string role, string session, string duration) =>
        _app.Client.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "AssumeRoleWithWebIdentity", ["Version"] = "2011-06-15", ["RoleArn"] = role, ["RoleSessionName"] = session,
            ["WebIdentityToken"] = token, ["DurationSeconds"] = duration,
        }));
}
