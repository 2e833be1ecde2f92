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
        var shape = new ShapeProblems();
        ConfigurationShapeChecker.Check(section, typeof(GatewayOptions), shape);

        // Bind what converts, leaving the bad values out, so the semantic checks below still run
        // and the operator sees every problem in one go.
        var bindable = shape.Messages.Count == 0 ? section : Without(section, shape);
        var options = new GatewayOptions();
        bindable.Bind(options);
        var problems = new List<string>(shape.Messages);
        GatewayOptionsValidator.Validate(options, builder.Configuration, problems);
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(options.Authentication);
        return options;
    }

    private static IConfigurationSection Without(IConfigurationSection section, ShapeProblems shape) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable().Where(kv => kv.Value is not null && !shape.Covers(kv.Key)))
            .Build()
            .GetSection(section.Path);
}
