using System.Net;

namespace WamsGateway.Exchanges;

/// <summary>Collects an API's configuration problems, each under its key (<c>Gateway:Apis:&lt;name&gt;:&lt;setting&gt;</c>).</summary>
public sealed class ExchangeValidationContext
{
    private readonly List<string> _problems;

    internal ExchangeValidationContext(string apiKey, string kindName, List<string> problems)
    {
        ApiKey = apiKey;
        KindName = kindName;
        _problems = problems;
    }

    /// <summary>The API's configuration key, such as <c>Gateway:Apis:orders</c>.</summary>
    public string ApiKey { get; }

    /// <summary>The kind's name as registered, for messages such as "required for TokenExchange".</summary>
    public string KindName { get; }

    /// <summary>Reports a problem with one setting. Never put a secret's value in <paramref name="message"/>.</summary>
    /// <param name="setting">The setting's name in the API's section.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public void Problem(string setting, string message) => _problems.Add($"{ApiKey}:{setting}: {message}");

    /// <summary>Reports a problem that is not one setting's.</summary>
    /// <param name="message">What is wrong and how to fix it, naming the keys involved.</param>
    public void Problem(string message) => _problems.Add(message);

    /// <summary>Reports <paramref name="setting"/> unless its value is an absolute https URL (plain http for loopback only). Null is left alone.</summary>
    /// <param name="setting">The setting's name.</param>
    /// <param name="value">Its value.</param>
    public void RequireHttpsUrl(string setting, string? value)
    {
        if (value is not null && !IsHttpsOrLoopback(value))
        {
            Problem(setting, $"'{value}' must be an absolute https URL (plain http only for loopback).");
        }
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static bool IsHttpsOrLoopback(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));
}
