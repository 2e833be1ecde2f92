namespace WamsGateway.Forwarding;

/// <summary>
/// Compares header names the way the most lenient server behind the gateway reads them: ASCII case
/// ignored and every character other than a letter or digit the same as <c>-</c> (nginx, CGI, WSGI
/// and PHP map <c>_</c> and <c>-</c> to one variable; some CGI-style stacks map every other character
/// too), so <c>X_ZUMO_AUTH</c> and <c>X.ZUMO+AUTH</c> are <c>X-ZUMO-AUTH</c>. Allocates nothing per comparison.
/// </summary>
internal sealed class HeaderNameComparer : IEqualityComparer<string>
{
    public static readonly HeaderNameComparer Instance = new();

    private HeaderNameComparer()
    {
    }

    public bool Equals(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (Normalize(x[i]) != Normalize(y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(string obj)
    {
        var hash = new HashCode();
        foreach (var c in obj)
        {
            hash.Add(Normalize(c));
        }

        return hash.ToHashCode();
    }

    /// <summary>True when <paramref name="name"/> starts with <paramref name="prefix"/> compared this way.</summary>
    public static bool StartsWith(string name, string prefix)
    {
        if (name.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (Normalize(name[i]) != Normalize(prefix[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char Normalize(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : char.IsAsciiLetterOrDigit(c) ? c : '-';
}
