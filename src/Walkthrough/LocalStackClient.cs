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

    /// <returns>The tokens, and the scopes the authority granted (only those the user holds, whatever was asked).</returns>
    public async Task<(string AccessToken, string IdToken, string GrantedScope)> SignInAsync(string username, string password, string clientId, string audience, string scope)
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
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("id_token").GetString()!, body.GetProperty("scope").GetString() ?? string.Empty);
    }

    /// <summary>How many delegations, token exchanges and STS calls the local authority has served.</summary>
    public async Task<(int Delegations, int TokenExchanges, int Sts)> AuthorityStatsAsync()
    {
        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(_authority, "admin/stats"));
        return (stats.GetProperty("delegations").GetInt32(), stats.GetProperty("tokenExchanges").GetInt32(), stats.GetProperty("sts").GetInt32());
    }

    /// <summary>A browser's CORS preflight: OPTIONS with Origin and Access-Control-Request-Method, no token.</summary>
    public static async Task<(int Status, string? AllowOrigin)> PreflightAsync(Uri uri, string origin, string method)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, uri);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null);
    }

    /// <summary>A call straight to a backend, bypassing the gateway: the caller's bearer token and a header of the caller's choosing.</summary>
    public static async Task<int> DirectAsync(Uri uri, string bearer, string header, string value)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// A request that did not come from the gateway: SigV4-shaped headers with made-up credentials
    /// (a plausible access key id, a session token nobody issued), straight to the backend.
    /// </summary>
    public static async Task<(int Status, JsonElement? Body)> ForgedSigV4Async(Uri uri)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var now = DateTimeOffset.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var scope = $"{now:yyyyMMdd}/us-east-1/execute-api/aws4_request";
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "FwoGZXIvYXdzEMadeUpSessionToken");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=ASIAMADEUPKEY0000000/{scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature={new string('0', 64)}");

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
