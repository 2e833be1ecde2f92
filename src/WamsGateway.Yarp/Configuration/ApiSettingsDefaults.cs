using Microsoft.Extensions.Options;
using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>
/// An API set up in code without its kind's settings gets the kind's defaults, as an API's section without the kind's
/// keys does (<see cref="GatewayOptionsSetup"/> binds those); an unknown kind is left for the validator to report.
/// </summary>
internal sealed class ApiSettingsDefaults : IPostConfigureOptions<WamsGatewayOptions>
{
    private readonly ExchangeKinds _kinds;

    public ApiSettingsDefaults(ExchangeKinds kinds)
    {
        _kinds = kinds;
    }

    public void PostConfigure(string? name, WamsGatewayOptions options)
    {
        foreach (var api in options.Apis.Values)
        {
            if (api.Settings is null && _kinds.Registration(api.Exchange) is { } registration)
            {
                api.Settings = Activator.CreateInstance(registration.OptionsType);
            }
        }
    }
}
