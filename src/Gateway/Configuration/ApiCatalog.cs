using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace WamsGateway.Configuration;

/// <summary>One API as the request path sees it: its options and a fingerprint of what shapes its credential.</summary>
/// <param name="Name">The API's name under <c>Gateway:Apis</c>.</param>
/// <param name="Options">Its options.</param>
/// <param name="Fingerprint">
/// A short hash of the settings that decide what credential an exchange yields, part of each cache
/// key so a changed configuration never reuses credentials minted for the old one.
/// </param>
public sealed record ApiDefinition(string Name, ApiOptions Options, string Fingerprint)
{
    public ExchangeKind Kind => Options.Exchange ?? ExchangeKind.None;

    /// <summary>True for kinds whose credential the gateway obtains and injects.</summary>
    public bool ExchangesCredential => Kind is not (ExchangeKind.None or ExchangeKind.Passthrough);
}

/// <summary>The configured APIs, and which one a proxied request's route is bound to.</summary>
public sealed class ApiCatalog
{
    private readonly Dictionary<string, ApiDefinition> _apis;

    public ApiCatalog(IOptions<GatewayOptions> options)
    {
        _apis = options.Value.Apis.ToDictionary(
            a => a.Key,
            a => new ApiDefinition(a.Key, a.Value, Fingerprint(a.Value)),
            StringComparer.OrdinalIgnoreCase);
    }

    public ApiDefinition? Find(string? name) => name is not null && _apis.TryGetValue(name, out var api) ? api : null;

    /// <summary>The API of the YARP route this request matched, if it names one; looked up once per request.</summary>
    public ApiDefinition? ForRequest(HttpContext context)
    {
        if (context.Features.Get<ResolvedApi>() is { } resolved)
        {
            return resolved.Api;
        }

        var api = context.Features.Get<IReverseProxyFeature>()?.Route.Config.Metadata?.TryGetValue(RouteMetadata.Api, out var name) == true
            ? Find(name)
            : null;
        context.Features.Set(new ResolvedApi(api));
        return api;
    }

    private sealed record ResolvedApi(ApiDefinition? Api);

    private static string Fingerprint(ApiOptions o)
    {
        var shape = string.Join('\n', o.Exchange, o.Endpoint, o.ClientId, o.Target, o.ApiType, o.Scope, o.TokenEndpoint, o.Audience,
            o.Resource, o.SubjectTokenType, o.RequestedTokenType, o.Source, o.RoleArn, o.PrincipalArn, o.Region, o.Service, o.DurationSeconds,
            o.Lifetime, o.MasterKey is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(o.MasterKey))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shape)).AsSpan(0, 6));
    }
}
