namespace WamsGateway.Authentication;

/// <summary>The <c>WWW-Authenticate: Bearer</c> challenge of RFC 6750 section 3, with an <c>error_description</c> no token content can break.</summary>
internal static class BearerChallenge
{
    public const int MaxDescriptionLength = 200;

    /// <summary>RFC 6750 section 3: no error code when no bearer token was sent.</summary>
    public static string Build(string? error, string? description)
    {
        if (string.IsNullOrEmpty(error))
        {
            return "Bearer";
        }

        var challenge = $"Bearer error=\"{error}\"";
        return string.IsNullOrEmpty(description) ? challenge : $"{challenge}, error_description=\"{SafeDescription(description)}\"";
    }

    /// <summary>
    /// RFC 6750 section 3: error_description is printable ASCII without <c>"</c> or <c>\</c>. Anything else
    /// becomes <c>?</c> (quotes and backslashes <c>'</c>), and the text is cut at <see cref="MaxDescriptionLength"/>.
    /// </summary>
    public static string SafeDescription(string description)
    {
        var length = Math.Min(description.Length, MaxDescriptionLength);
        return string.Create(length, description, static (span, text) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = text[i];
                span[i] = c is '"' or '\\' ? '\'' : c is < ' ' or > '~' ? '?' : c;
            }

            if (text.Length > span.Length)
            {
                span[^3..].Fill('.');
            }
        });
    }
}
