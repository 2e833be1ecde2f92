using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Walkthrough;

/// <summary>What a client app does: sign a user in at the authority, then call APIs through the gateway.</summary>
internal sealed class LocalStackClient : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _gateway;
    private readonly Uri _authority;

    public LocalStackClient(Uri gateway, Uri authority)
    {
        _gateway = gateway;
        _authority = authority;
    }

    public async Task<(string AccessToken, string IdToken)> SignInAsync(string username, string password, string clientId, string audience, string scope)
    {
        using var response = await _http.PostAsync(new Uri(_authority, "oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = clientId,
            ["username"] = username,
            ["password"] = password,
            ["audience"] = audience,
            ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("id_token").GetString()!);
    }

    /// <summary>How many delegations, token exchanges and STS calls the local authority has served.</summary>
    public async Task<(int Delegations, int TokenExchanges, int Sts)> AuthorityStatsAsync()
    {
        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(_authority, "admin/stats"));
        return (stats.GetProperty("delegations").GetInt32(), stats.GetProperty("tokenExchanges").GetInt32(), stats.GetProperty("sts").GetInt32());
    }

    /// <summary>A tampered request: another request's SigV4 headers, replayed on a different path.</summary>
    public static async Task<(int Status, JsonElement? Body)> ReplayAsync(Uri uri, JsonElement? headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var property in headers?.EnumerateObject() ?? default)
        {
            if (property.Name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || property.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(property.Name, property.Value.EnumerateArray().Select(v => v.GetString()));
            }
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task<(int Status, JsonElement? Body, HttpResponseMessage Response)> CallAsync(
        HttpMethod method, string path, string? token, object? body = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_gateway, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is string plain)
        {
            request.Content = new StringContent(plain, System.Text.Encoding.UTF8, "text/plain");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? json = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }

        return ((int)response.StatusCode, json, response);
    }

    public void Dispose() => _http.Dispose();
}
