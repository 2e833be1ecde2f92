// Mints access tokens for the benchmark with the local authority's own signing key, one distinct
// user each, so a run can send a new caller on every request (the cold path) or 100,000 callers
// (the memory scenario) without asking the authority for each token.
//   dotnet BenchTool.dll tokens <key-file> <issuer> <audience> <count> <out-file> [subject-prefix]
//   dotnet BenchTool.dll drive <url> <token-file> <concurrency>
using System.Globalization;
using LocalAuthority;
using LocalAuthority.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

if (args is ["drive", var url, var tokenFile, var concurrencyText])
{
    return await Drive.RunAsync(new Uri(url), await File.ReadAllLinesAsync(tokenFile), int.Parse(concurrencyText, CultureInfo.InvariantCulture));
}

if (args is not ["tokens", var keyFile, var issuer, var audience, var countText, var output, .. var rest] || rest.Length > 1)
{
    Console.Error.WriteLine("usage: BenchTool tokens <key-file> <issuer> <audience> <count> <out-file> [subject-prefix]");
    Console.Error.WriteLine("       BenchTool drive <url> <token-file> <concurrency>   (each token once; prints answers by status)");
    return 2;
}

using var store = new SigningKeyStore(Options.Create(new LocalAuthorityOptions { KeyFile = keyFile }), TimeProvider.System);
var credentials = new SigningCredentials(store.Active, SecurityAlgorithms.RsaSha256);
var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
var now = DateTimeOffset.UtcNow;
var count = int.Parse(countText, CultureInfo.InvariantCulture);
var prefix = rest is [var given] ? given : "bench";
using var writer = new StreamWriter(output);
for (var i = 0; i < count; i++)
{
    writer.WriteLine(handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = audience,
        IssuedAt = now.UtcDateTime,
        NotBefore = now.UtcDateTime,
        Expires = now.AddHours(2).UtcDateTime,
        SigningCredentials = credentials,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = $"auth0|{prefix}-{i:D6}",
            ["azp"] = "todo-mobile",
            ["scope"] = "openid read:orders",
        },
    }));
}

return 0;

/// <summary>Sends one request per token, each token once, <c>concurrency</c> at a time.</summary>
internal static class Drive
{
    public static async Task<int> RunAsync(Uri url, string[] tokens, int concurrency)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (token, cancellationToken) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        });
        Console.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}")));
        return statuses.Keys.All(s => s == 200) ? 0 : 1;
    }
}
