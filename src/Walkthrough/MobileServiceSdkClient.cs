using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Walkthrough;

/// <summary>
/// Speaks to a table exactly as the Mobile Services SDK's <c>MobileServiceClient</c> does on the wire:
/// its headers on every call (<c>X-ZUMO-APPLICATION</c>, <c>X-ZUMO-INSTALLATION-ID</c>, <c>X-ZUMO-VERSION</c>,
/// <c>X-ZUMO-AUTH</c> once a user is set), <c>/tables/{table}</c> paths, LINQ as OData v3 query options
/// (spaces as <c>%20</c>), and JSON bodies without an <c>id</c> on insert. Only the base address and the
/// token given as the user's changed when the app moved behind the gateway.
/// </summary>
public sealed class MobileServiceSdkClient : IDisposable
{
    private const string SdkVersion = "ZUMO/1.2 (lang=Managed; os=Android; os_version=4.4; arch=Unknown; version=1.2.21001.0)";
    private readonly HttpClient _http = new();
    private readonly Uri _application;
    private readonly string _installationId = Guid.NewGuid().ToString();

    public MobileServiceSdkClient(Uri application, string applicationKey)
    {
        _application = application;
        ApplicationKey = applicationKey;
    }

    public string ApplicationKey { get; }

    /// <summary><c>MobileServiceClient.CurrentUser.MobileServiceAuthenticationToken</c>: what the SDK sends in <c>X-ZUMO-AUTH</c>.</summary>
    public string? AuthenticationToken { get; set; }

    /// <summary><c>table.InsertAsync(item)</c>.</summary>
    public Task<(int Status, JsonElement? Body)> InsertAsync(string table, object item) =>
        SendAsync(HttpMethod.Post, $"tables/{table}", item);

    /// <summary><c>table.UpdateAsync(item)</c>: the whole item, its id in the path.</summary>
    public Task<(int Status, JsonElement? Body)> UpdateAsync(string table, string id, object item) =>
        SendAsync(HttpMethod.Patch, $"tables/{table}/{Uri.EscapeDataString(id)}", item);

    /// <summary><c>table.Where(...).OrderBy(...).Take(...).IncludeTotalCount().ToListAsync()</c>, as the query options it becomes.</summary>
    public Task<(int Status, JsonElement? Body)> QueryAsync(string table, string odataQuery) =>
        SendAsync(HttpMethod.Get, $"tables/{table}?{odataQuery.Replace(" ", "%20", StringComparison.Ordinal)}", null);

    public void Dispose() => _http.Dispose();

    private async Task<(int Status, JsonElement? Body)> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(_application, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("X-ZUMO-APPLICATION", ApplicationKey);
        request.Headers.TryAddWithoutValidation("X-ZUMO-INSTALLATION-ID", _installationId);
        request.Headers.TryAddWithoutValidation("X-ZUMO-VERSION", SdkVersion);
        if (AuthenticationToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-ZUMO-AUTH", AuthenticationToken);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? parsed = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            parsed = JsonDocument.Parse(text).RootElement.Clone();
        }

        return ((int)response.StatusCode, parsed);
    }
}
