using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Forwarding;

/// <summary>
/// Removes every inbound copy of every header that carries a credential or an identity the gateway
/// vouches for, on every route, before the gateway sets its own: each API's <c>Inject</c> header,
/// the identity headers, <c>Gateway:StripHeaders</c>, <c>Authorization</c> (kept only on Passthrough
/// routes) and every <c>X-Amz-*</c>; and look-alike spellings of the forwarding headers YARP sets
/// (<c>X_Forwarded_For</c>). Names match in any case, any non-alphanumeric character read as <c>-</c>.
/// One pass over the inbound headers per request.
/// </summary>
internal sealed class CredentialHeadersTransform : RequestTransform
{
    // SigV4's headers: a backend behind an AWS-style gateway must never see a caller's own.
    private const string AmzPrefix = "X-Amz-";

    // Set by YARP under their exact names, overwriting any inbound copy; other spellings of them
    // (X_Forwarded_For, X.Forwarded.Host) would reach a backend that reads them as the same header.
    private static readonly FrozenSet<string> ForwardingHeaders = new[]
    {
        "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded",
    }.ToFrozenSet(HeaderNameComparer.Instance);

    private readonly FrozenSet<string> _names;

    public CredentialHeadersTransform(FrozenSet<string> names)
    {
        _names = names;
    }

    /// <summary>The names to strip, matched with <see cref="HeaderNameComparer"/>; built once per route build.</summary>
    public static FrozenSet<string> NamesFor(GatewayOptions options, bool keepAuthorization)
    {
        var names = new HashSet<string>(HeaderNameComparer.Instance);
        names.UnionWith(options.IdentityHeaders.Keys);
        names.UnionWith(options.EffectiveStripHeaders);
        foreach (var api in options.Apis.Values)
        {
            names.Add(api.InjectHeader);
        }

        if (keepAuthorization)
        {
            names.Remove(HeaderNames.Authorization);
        }
        else
        {
            names.Add(HeaderNames.Authorization);
        }

        return names.ToFrozenSet(HeaderNameComparer.Instance);
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        // The inbound headers are what a caller controls; YARP copied them (or some of them, through
        // other transforms) into the proxy request and its content under the same names.
        foreach (var header in context.HttpContext.Request.Headers)
        {
            if (_names.Contains(header.Key) || HeaderNameComparer.StartsWith(header.Key, AmzPrefix) || IsForwardingLookAlike(header.Key))
            {
                RemoveHeader(context, header.Key);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsForwardingLookAlike(string name) =>
        ForwardingHeaders.TryGetValue(name, out var canonical) && !canonical.Equals(name, StringComparison.OrdinalIgnoreCase);
}
