using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace LocalAuthority.Hosting;

/// <summary>The issuer: configured, or the first address the server listens on (so port 0 works in tests).</summary>
public sealed class IssuerUri
{
    private readonly IServer _server;
    private readonly string? _configured;
    private string? _resolved;

    public IssuerUri(IServer server, IOptions<LocalAuthorityOptions> options)
    {
        _server = server;
        _configured = options.Value.Issuer;
    }

    public string Value => _resolved ??= Resolve();

    private string Resolve()
    {
        var issuer = _configured ?? _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("LocalAuthority:Issuer is not set and the server has no address yet.");
        return issuer.EndsWith('/') ? issuer : issuer + "/";
    }
}
