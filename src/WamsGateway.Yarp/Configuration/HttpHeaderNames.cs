using System.Collections.Frozen;

namespace WamsGateway.Configuration;

/// <summary>What a configured header name may be used for.</summary>
internal static class HttpHeaderNames
{
    // Headers whose meaning belongs to HTTP itself; a claim or a credential must never overwrite them.
    public static readonly FrozenSet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding",
        "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Cookie",
        "traceparent", "tracestate",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // Headers that frame the request; removing them would break forwarding rather than strip a credential.
    public static readonly FrozenSet<string> Framing = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Keep-Alive",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A header of HTTP itself (reserved, framing, <c>Expect</c>, <c>Sec-WebSocket-*</c>), compared the way the
    /// gateway strips names (any case, any non-alphanumeric as <c>-</c>): <c>Content_Type</c> is <c>Content-Type</c>.
    /// </summary>
    public static bool IsProtocolHeader(string name) =>
        Reserved.Concat(Framing).Append("Expect").Any(h => Forwarding.HeaderNameComparer.Instance.Equals(h, name))
        || Forwarding.HeaderNameComparer.StartsWith(name, "Sec-WebSocket-");

    /// <summary>
    /// A name the gateway may give a role of its own (a caller's token, an assertion): valid, not one of HTTP's
    /// own, not a forwarding header YARP sets and not under a prefix an exchange kind owns (<c>X-Amz-*</c>), in any
    /// spelling the strip transform merges.
    /// </summary>
    /// <param name="name">The header name.</param>
    /// <param name="ownedPrefixes">The prefixes the registered kinds own.</param>
    public static bool IsFreeForGatewayUse(string name, IEnumerable<string> ownedPrefixes) =>
        IsToken(name) && !IsProtocolHeader(name)
        && !Forwarding.CredentialHeadersTransform.ForwardingHeaders.Contains(name, Forwarding.HeaderNameComparer.Instance)
        && !ownedPrefixes.Any(prefix => Forwarding.HeaderNameComparer.StartsWith(name, prefix));

    /// <summary>RFC 9110 token characters.</summary>
    public static bool IsToken(string value) =>
        value.Length > 0 && value.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));

    /// <summary>A valid name that HTTP does not reserve, or Authorization itself.</summary>
    public static bool CanCarryCredential(string name) =>
        IsToken(name) && (!IsProtocolHeader(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
}
