using WamsGateway.Exchanges;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Tests.Hosting;

/// <summary>The settings of <see cref="CatalogTenantKind"/>: which tenant's catalogue the backend serves.</summary>
public sealed class CatalogTenantOptions
{
    /// <summary>Sent as <c>X-Catalog-Tenant</c>.</summary>
    public string? Tenant { get; set; }
}

/// <summary>
/// A credential-free kind written outside the gateway, as a team would: it obtains nothing per caller, needs no
/// signed-in caller (a public catalogue behind an anonymous route), and tells the backend its tenant in a header
/// the kind owns, so no caller's copy passes on any route. It is the second example of docs/your-own-kind.md.
/// </summary>
public sealed class CatalogTenantKind : CredentialFreeExchangeKind<CatalogTenantOptions>
{
    public const string TenantHeader = "X-Catalog-Tenant";

    public override bool RequiresCaller => false;

    public override IReadOnlyList<string> OwnedHeaders { get; } = [TenantHeader];

    public override void Validate(CatalogTenantOptions options, ExchangeValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(options.Tenant))
        {
            context.Problem("Tenant", "required; the tenant whose catalogue the backend serves.");
        }
    }

    public override void Apply(RequestTransformContext context, CatalogTenantOptions options) =>
        RequestTransform.AddHeader(context, TenantHeader, options.Tenant!);
}
