using Microsoft.Net.Http.Headers;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Forwarding;

/// <summary>
/// Puts the delegated credential in the API's <c>Inject</c> header: <c>Authorization: Bearer &lt;token&gt;</c>,
/// or the bare token for any other header (<c>X-ZUMO-AUTH</c>). Inbound copies were removed before.
/// </summary>
internal sealed class DelegatedCredentialTransform : RequestTransform
{
    private readonly string _header;
    private readonly bool _bearer;

    public DelegatedCredentialTransform(string header)
    {
        _header = header;
        _bearer = header.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase);
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var credential = context.HttpContext.Features.Get<DelegatedCredentialFeature>()?.Credential
            ?? throw new InvalidOperationException("The delegation step did not run for a route whose API exchanges credentials.");
        AddHeader(context, _header, _bearer ? "Bearer " + credential.Token : credential.Token);
        return ValueTask.CompletedTask;
    }
}
