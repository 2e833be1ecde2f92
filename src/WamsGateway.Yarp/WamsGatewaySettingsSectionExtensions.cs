using WamsGateway.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>For packages that keep settings of their own under the gateway's section.</summary>
public static class WamsGatewaySettingsSectionExtensions
{
    /// <summary>
    /// Declares <c>Gateway:<paramref name="name"/></c> as a section the caller binds and validates itself (as the hosting
    /// package does <c>Management</c>): the gateway's check for unknown settings leaves it alone, and a change to it
    /// while the gateway runs is logged as taking effect at the next restart.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The subsection's key, directly under the gateway's section.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddWamsGatewaySettingsSection(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!services.Any(d => d.ImplementationInstance is GatewaySettingsSection s && s.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            services.AddSingleton(new GatewaySettingsSection(name));
        }

        return services;
    }
}
