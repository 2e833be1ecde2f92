using System.Globalization;
using System.Text;

namespace WamsGateway.Observability;

/// <summary>
/// Text read from outside (Redis, a request) made fit for a log line: control, line-separator and
/// invisible formatting characters are escaped (<c>\n</c>, <c>\u001b</c>...), so a value cannot start a
/// line of its own or hide text; and it is cut to a length, so a value cannot flood the log.
/// </summary>
internal static class UntrustedText
{
    /// <summary>What a value too long for the log ends with.</summary>
    public const char Ellipsis = '…';

    /// <summary>The value, escaped and at most <paramref name="maxLength"/> characters of it; "-" for none.</summary>
    public static string ForLog(string? value, int maxLength = 64)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var cut = value.Length > maxLength;
        var text = cut ? value.AsSpan(0, maxLength) : value.AsSpan();
        if (!NeedsEscaping(text))
        {
            return cut ? $"{text}{Ellipsis}" : value;
        }

        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when IsUnsafe(c) => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return cut ? builder.Append(Ellipsis).ToString() : builder.ToString();
    }

    private static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Controls (C0, DEL, C1: NEL included), line and paragraph separators, invisible formatting (bidi overrides, zero-width), lone surrogates.</summary>
    private static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
