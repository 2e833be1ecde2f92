using System.Globalization;
using System.Text;

namespace WamsGateway.Tests.Support;

/// <summary>
/// Random JWT payloads as raw JSON text, reproducible from a seed: mostly tokens that pass
/// validation (right iss, aud and lifetime) with odd claim shapes for the code behind it, and a
/// fraction hostile in the validated fields themselves. Duplicate members, lone surrogate escapes,
/// control characters, RTL marks, huge numbers and few-KB strings included.
/// </summary>
public sealed class ClaimFuzzer
{
    private static readonly string[] OddPieces =
    [
        "\r", "\n", "\r\n", "\0", "\"", "\\", "\t", "\u007f", "\u0085", "\u2028", "\u202e", "\u200f", "\u00e9", "\u4e2d", "\ud83d\ude00",
        "%0d%0a", ": ", ";", ",", "=", "\u00a0", "\ufeff", "X-Admin: true",
    ];

    // Lone surrogates: JSON parsers refuse them, so a token with one is malformed; used in some tokens only.
    private static readonly string[] LoneSurrogates = ["\\ud800", "\\udfff", "\\udc00\\ud800"];

    private static readonly string[] OddNumbers =
    [
        "0", "-0", "1", "-1", "42", "3.14159", "-2.5e-7", "1e308", "-1e308", "1e400", "99999999999999", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1" + new string('0', 300), "0.000000000000000000001",
    ];

    private static readonly string[] HostileDates =
    [
        "99999999999999", "-99999999999999", "-1", "0", "1e300", "1e400", "9223372036854775807", "9223372036854775808", "253402300800",
        "253402300799", "32503680001", "1.5e10", "\"1700000000\"", "\"tomorrow\"", "true", "null", "[]", "[1,2]", "{}", "{\"exp\":1}", "NaN",
    ];

    private readonly Random _random;
    private readonly string _issuer;
    private readonly long _now;
    private bool _loneSurrogates;

    public ClaimFuzzer(int seed, string issuer, long now)
    {
        _random = new Random(seed);
        _issuer = issuer;
        _now = now;
    }

    /// <summary>One payload; about one in five is hostile in iss, aud or the dates, one in twenty has lone surrogates.</summary>
    public string Payload()
    {
        var hostile = Chance(0.2);
        _loneSurrogates = Chance(0.05);
        var members = new List<(string Name, string Json)>
        {
            ("iss", hostile && Chance(0.35) ? HostileIssuer() : Str(_issuer)),
            ("aud", hostile && Chance(0.35) ? HostileAudience() : GoodAudience()),
            ("exp", hostile && Chance(0.5) ? Pick(HostileDates) : GoodDate(_now + _random.Next(120, 7200))),
        };
        foreach (var date in new[] { "nbf", "iat" })
        {
            if (Chance(0.7))
            {
                members.Add((date, hostile && Chance(0.3) ? Pick(HostileDates) : GoodDate(_now - _random.Next(0, 600))));
            }
        }

        members.Add(("sub", Chance(0.7) ? Str("auth0|" + Text(30)) : Chance(0.5) ? Value(2) : Str("auth0|alice")));
        foreach (var (name, usual) in new[] { ("azp", "todo-mobile"), ("email", "alice@example.com"), ("scope", "openid read:todo"), ("client_id", "todo-mobile") })
        {
            if (Chance(0.8))
            {
                // azp is typed by the token library (a string, or the token is malformed): mostly odd strings there.
                members.Add((name, Chance(0.5) ? Str(usual) : name == "azp" && Chance(0.8) ? Str(Text(_random.Next(0, 60))) : Value(2)));
            }
        }

        if (Chance(0.6))
        {
            members.Add(("permissions", Chance(0.5) ? "[\"read:todo\",\"write:todo\"]" : Value(2)));
        }

        for (var i = _random.Next(0, 5); i > 0; i--)
        {
            members.Add((Chance(0.7) ? "x" + _random.Next(1000) : Text(12), Value(3)));
        }

        if (Chance(0.15))
        {
            // Duplicate members: JSON leaves their meaning to the parser.
            var twice = members[_random.Next(members.Count)];
            members.Add((twice.Name, Chance(0.5) ? Value(2) : twice.Json));
        }

        Shuffle(members);
        var json = new StringBuilder("{");
        for (var i = 0; i < members.Count; i++)
        {
            json.Append(i == 0 ? string.Empty : ",").Append(Str(members[i].Name)).Append(':').Append(members[i].Json);
        }

        return json.Append('}').ToString();
    }

    private string GoodAudience() => _random.Next(4) switch
    {
        0 => Str(GatewayConfig.Audience),
        1 => $"[{Str(GatewayConfig.Audience)},{Str(_issuer + "userinfo")}]",
        2 => Str("todo-mobile"),
        _ => $"[{Str("todo-desktop")},{Str(Text(_random.Next(0, 60)))}]",
    };

    private string HostileIssuer() => _random.Next(9) switch
    {
        0 => Str(_issuer + "\r\nX-Injected: yes"),
        1 => Str(_issuer + "\u00e9\u4e2d"),
        2 => Str(_issuer.TrimEnd('/')),
        3 => Str(_issuer.ToUpperInvariant()),
        4 => Str("\u202e" + _issuer + "\0\"\\"),
        5 => Str(_issuer + Text(3000)),
        6 => $"[{Str(_issuer)}]",
        7 => Pick(OddNumbers),
        _ => Value(2),
    };

    private string HostileAudience() => _random.Next(8) switch
    {
        0 => Str(GatewayConfig.Audience + "/"),
        1 => Str(GatewayConfig.Audience.ToUpperInvariant()),
        2 => Pick(OddNumbers),
        3 => "[]",
        4 => $"[{Pick(OddNumbers)},null,{Str(Text(40))}]",
        5 => "{\"aud\":" + Str(GatewayConfig.Audience) + "}",
        6 => Str(GatewayConfig.Audience + Text(20)),
        _ => Value(2),
    };

    private string GoodDate(long seconds) => Chance(0.15)
        ? seconds.ToString(CultureInfo.InvariantCulture) + "." + _random.Next(1, 999).ToString(CultureInfo.InvariantCulture)
        : seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Any JSON value, nested at most <paramref name="depth"/> deep.</summary>
    private string Value(int depth)
    {
        var kind = _random.Next(depth > 0 ? 9 : 7);
        return kind switch
        {
            0 or 1 or 2 => Str(Text(_random.Next(5) == 0 ? _random.Next(200, 3000) : _random.Next(0, 40))),
            3 => Pick(OddNumbers),
            4 => _random.Next(-1_000_000, 1_000_000).ToString(CultureInfo.InvariantCulture),
            5 => Pick(["true", "false"]),
            6 => "null",
            7 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(0, 5)).Select(_ => Value(depth - 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Str(Text(8)) + ":" + Value(depth - 1))) + "}",
        };
    }

    /// <summary>Text of plain characters with odd ones mixed in; escapes such as <c>\ud800</c> stay escapes (see <see cref="Str"/>).</summary>
    private string Text(int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(Chance(0.15) ? Pick(_loneSurrogates && Chance(0.2) ? LoneSurrogates : OddPieces) : ((char)_random.Next('!', '~' + 1)).ToString());
        }

        return text.ToString();
    }

    /// <summary>
    /// A JSON string literal: quotes, backslashes and control characters escaped, anything else raw
    /// (UTF-8 in the payload), except the surrogate escapes from <see cref="OddPieces"/>, kept as escapes.
    /// </summary>
    private static string Str(string text)
    {
        var json = new StringBuilder("\"");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 5 < text.Length && text.AsSpan(i + 1).StartsWith("ud", StringComparison.Ordinal))
            {
                json.Append(text, i, 6);
                i += 5;
            }
            else if (c is '"' or '\\')
            {
                json.Append('\\').Append(c);
            }
            else if (c < ' ')
            {
                json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                json.Append(c);
            }
        }

        return json.Append('"').ToString();
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private string Pick(string[] items) => items[_random.Next(items.Length)];

    private void Shuffle<T>(List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
