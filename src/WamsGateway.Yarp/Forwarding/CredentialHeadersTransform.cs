using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Forwarding;

/// <summary>
/// Removes every inbound copy of every header that carries a credential or an identity the gateway
/// vouches for, on every route, before the gateway sets its own: every header an API's exchange kind sets,
/// the headers and header prefixes the kinds own (<c>X-ZUMO-AUTH</c>, <c>X-Amz-*</c>), the identity headers,
/// <c>Gateway:StripHeaders</c>, <c>Authorization</c> (kept only for an API whose kind keeps the caller's); and look-alike spellings of the forwarding headers YARP sets
/// (<c>X_Forwarded_For</c>). Names match in any case, any non-alphanumeric character read as <c>-</c>.
/// One pass over the inbound headers per request.
/// </summary>
internal sealed class CredentialHeadersTransform : RequestTransform
{
    // Set by YARP under their exact names, overwriting any inbound copy; other spellings of them
    // (X_Forwarded_For, X.Forwarded.Host) would reach a backend that reads them as the same header.
    public static readonly string[] ForwardingHeaders =
    [
        "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded",
    ];

    // Each managed name, matched with HeaderNameComparer, to the one spelling that may pass (any case),
    // or null when none may.
    private readonly FrozenDictionary<string, string?> _names;
    private readonly string[] _prefixes;

    /// <param name="names">What <see cref="NamesFor"/> built.</param>
    /// <param name="prefixes">The prefixes the kinds own: any header that starts with one is removed.</param>
    public CredentialHeadersTransform(FrozenDictionary<string, string?> names, IEnumerable<string> prefixes)
    {
        _names = names;
        _prefixes = [.. prefixes];
    }

    /// <summary>The managed names and what may pass of each; built once, one lookup per inbound header.</summary>
    /// <param name="options">The identity headers and strip list.</param>
    /// <param name="credentialHeaders">The headers every kind owns and every API's exchange kind sets.</param>
    /// <param name="keepAuthorization">True for an API whose kind keeps the caller's <c>Authorization</c>.</param>
    public static FrozenDictionary<string, string?> NamesFor(WamsGatewayOptions options, IEnumerable<string> credentialHeaders, bool keepAuthorization)
    {
        var names = new Dictionary<string, string?>(HeaderNameComparer.Instance);
        foreach (var name in ForwardingHeaders)
        {
            names[name] = name;
        }

        foreach (var name in options.IdentityHeaders.Keys.Concat(options.EffectiveStripHeaders).Concat(credentialHeaders))
        {
            names[name] = null;
        }

        names[HeaderNames.Authorization] = keepAuthorization ? HeaderNames.Authorization : null;
        return names.ToFrozenDictionary(HeaderNameComparer.Instance);
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        // The inbound headers are what a caller controls; YARP copied them (or some of them, through
        // other transforms) into the proxy request and its content under the same names. A name that is not an
        // HTTP token (Kestrel takes "X(User-Id") was not copied, and HttpHeaders would throw on it: skipped.
        foreach (var header in context.HttpContext.Request.Headers)
        {
            if (!Configuration.HttpHeaderNames.IsToken(header.Key))
            {
                continue;
            }

            if (StartsWithOwnedPrefix(header.Key)
                || (_names.TryGetValue(header.Key, out var passes) && !header.Key.Equals(passes, StringComparison.OrdinalIgnoreCase)))
            {
                RemoveHeader(context, header.Key);
            }
        }

        return ValueTask.CompletedTask;
    }

    private bool StartsWithOwnedPrefix(string name)
    {
        foreach (var prefix in _prefixes)
        {
            if (HeaderNameComparer.StartsWith(name, prefix))
            {
                return true;
            }
        }

        return false;
    }
}
