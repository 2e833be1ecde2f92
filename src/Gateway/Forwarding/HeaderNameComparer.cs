namespace WamsGateway.Forwarding;

/// <summary>
/// Compares header names the way the most lenient server behind the gateway reads them: ASCII case
/// ignored and <c>_</c> the same as <c>-</c> (nginx, CGI, WSGI and PHP map both to one variable), so
/// <c>X_ZUMO_AUTH</c> is <c>X-ZUMO-AUTH</c>. Allocates nothing per comparison.
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

    private static char Normalize(char c) => c == '_' ? '-' : char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
}
