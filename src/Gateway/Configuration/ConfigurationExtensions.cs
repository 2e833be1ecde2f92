using Microsoft.Extensions.Options;

namespace WamsGateway.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// Layers the <c>--config</c> file, binds <see cref="GatewayOptions"/> and validates it at once, so
    /// a bad configuration stops start-up with every problem listed before anything listens.
    /// </summary>
    public static GatewayOptions AddGatewayConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        GatewayConfigFile.Add(builder.Configuration, args);

        var section = builder.Configuration.GetSection(GatewayOptions.SectionName);
        var problems = new List<string>();
        ConfigurationShapeChecker.Check(section, typeof(GatewayOptions), problems);
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        var options = new GatewayOptions();
        section.Bind(options);
        GatewayOptionsValidator.Validate(options, builder.Configuration, problems);
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(options.Authentication);
        return options;
    }
}
