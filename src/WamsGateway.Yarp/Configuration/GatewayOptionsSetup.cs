using Microsoft.Extensions.Options;
using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>
/// Binds <see cref="WamsGatewayOptions"/> from the <c>Gateway</c> section: first walks it against the types
/// it binds to (each API's against its kind's options), leaving out every value that does not convert so
/// the binder never throws, then binds each API's kind options. <see cref="ConfigurationShapeValidator"/>
/// reports what was left out.
/// </summary>
internal sealed class GatewayOptionsSetup : IConfigureOptions<WamsGatewayOptions>
{
    private readonly IConfiguration _section;
    private readonly ExchangeKinds _kinds;
    private readonly HashSet<string> _otherSections;

    /// <param name="section">The gateway's section.</param>
    /// <param name="kinds">The exchange kinds, whose settings an API's section may hold.</param>
    /// <param name="otherSections">Subsections the host's other packages bind (<see cref="GatewaySettingsSection"/>): not the gateway's to check.</param>
    public GatewayOptionsSetup(IConfiguration section, ExchangeKinds kinds, IEnumerable<GatewaySettingsSection> otherSections)
    {
        _section = section;
        _kinds = kinds;
        _otherSections = otherSections.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public void Configure(WamsGatewayOptions options)
    {
        var shape = ConfigurationShapeChecker.CheckGateway(_section, _kinds, _otherSections);
        var bindable = shape.Messages.Count == 0 ? _section : Without(_section, shape);
        bindable.Bind(options);
        foreach (var (name, api) in options.Apis)
        {
            // "Assertion": {} (or a section of nulls) binds to nothing; it still asks for assertions, and the validator says what is missing.
            // "Authorities": [] or "Audiences": [] binds to nothing too, which would read as "any"; it says "none", and the validator refuses it.
            var section = bindable.GetSection(nameof(WamsGatewayOptions.Apis)).GetSection(name);
            api.Assertion ??= Present(section, nameof(ApiOptions.Assertion)) ? new Assertions.ApiAssertionSettings() : null;
            api.Authorities ??= Present(section, nameof(ApiOptions.Authorities)) ? [] : null;
            api.Audiences ??= Present(section, nameof(ApiOptions.Audiences)) ? [] : null;

            if (_kinds.Registration(api.Exchange) is { } registration)
            {
                var settings = Activator.CreateInstance(registration.OptionsType)!;
                section.Bind(settings);
                api.Settings = settings;
            }
        }
    }

    private static bool Present(IConfigurationSection section, string key) =>
        section.GetChildren().Any(c => c.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    private static IConfiguration Without(IConfiguration section, ShapeProblems shape)
    {
        var prefix = section is IConfigurationSection s ? s.Path + ConfigurationPath.KeyDelimiter : string.Empty;
        return new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true)
                .Where(kv => kv.Value is not null && !shape.Covers(prefix + kv.Key)))
            .Build();
    }
}
