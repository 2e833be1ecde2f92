namespace WamsGateway.Management;

/// <summary>
/// The <c>Gateway:Management</c> section: where health and metrics are served when they must not
/// be on the proxy's public port. Read at start.
/// </summary>
internal sealed class ManagementOptions
{
    /// <summary>The subsection of the gateway's section these options bind.</summary>
    public const string SectionName = "Management";

    /// <summary>
    /// One or more absolute http(s) URLs separated by <c>;</c>, as ASP.NET Core's <c>urls</c> setting
    /// takes them (<c>http://0.0.0.0:9090</c>, <c>http://+:9090;http://[::]:9090</c>). When set, the
    /// gateway also listens there, and <c>/healthz/*</c> and <c>/metrics</c> are served only there.
    /// </summary>
    public string? Urls { get; set; }

    public IReadOnlyList<string> UrlList =>
        string.IsNullOrWhiteSpace(Urls) ? [] : Urls.Split(';', StringSplitOptions.TrimEntries);

    public bool Enabled => UrlList.Count > 0;
}
