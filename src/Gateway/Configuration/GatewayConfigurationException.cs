namespace WamsGateway.Configuration;

/// <summary>Start-up stops with this: one line per problem, each naming its key or file.</summary>
public sealed class GatewayConfigurationException : Exception
{
    public GatewayConfigurationException(IReadOnlyList<string> problems)
        : base(Format(problems))
    {
        Problems = problems;
    }

    public GatewayConfigurationException(string problem)
        : this([problem])
    {
    }

    public GatewayConfigurationException()
        : this("The gateway configuration is invalid.")
    {
    }

    public GatewayConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems) =>
        "The gateway configuration is invalid:" + Environment.NewLine
        + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}
