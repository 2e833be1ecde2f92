namespace WamsGateway.Configuration;

/// <summary>Start-up stops with this: one line per problem, each naming its key or file.</summary>
public sealed class GatewayConfigurationException : Exception
{
    /// <summary>A configuration with these problems.</summary>
    /// <param name="problems">One line each, naming its key.</param>
    public GatewayConfigurationException(IReadOnlyList<string> problems)
        : base(Format(problems))
    {
        Problems = problems;
    }

    /// <summary>A configuration with one problem.</summary>
    /// <param name="problem">What is wrong, naming its key.</param>
    public GatewayConfigurationException(string problem)
        : this([problem])
    {
    }

    /// <summary>An invalid configuration.</summary>
    public GatewayConfigurationException()
        : this("The gateway configuration is invalid.")
    {
    }

    /// <summary>An invalid configuration, with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GatewayConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Every problem, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems) =>
        "The gateway configuration is invalid:" + Environment.NewLine
        + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}
