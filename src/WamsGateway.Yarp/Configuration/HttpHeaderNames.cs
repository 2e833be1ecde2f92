namespace WamsGateway.Configuration;

/// <summary>What a configured header name may be used for.</summary>
internal static class HttpHeaderNames
{
    // Headers whose meaning belongs to HTTP itself; a claim or a credential must never overwrite them.
    public static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding",
        "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Cookie",
        "traceparent", "tracestate",
    };

    // Headers that frame the request; removing them would break forwarding rather than strip a credential.
    public static readonly HashSet<string> Framing = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Keep-Alive",
    };

    /// <summary>
    /// A header of HTTP itself (reserved, framing, <c>Expect</c>, <c>Sec-WebSocket-*</c>), compared the way the
    /// gateway strips names (any case, any non-alphanumeric as <c>-</c>): <c>Content_Type</c> is <c>Content-Type</c>.
    /// </summary>
    public static bool IsProtocolHeader(string name) =>
        Reserved.Concat(Framing).Append("Expect").Any(h => Forwarding.HeaderNameComparer.Instance.Equals(h, name))
        || Forwarding.HeaderNameComparer.StartsWith(name, "Sec-WebSocket-");

    /// <summary>RFC 9110 token characters.</summary>
    public static bool IsToken(string value) =>
        value.Length > 0 && value.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));

    /// <summary>A valid name that HTTP does not reserve, or Authorization itself.</summary>
    public static bool CanCarryCredential(string name) =>
        IsToken(name) && (!IsProtocolHeader(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
}
