using System.Globalization;
using System.Text.RegularExpressions;

namespace WamsGateway.Tests.Support;

/// <summary>One Prometheus text exposition, parsed: each sample with its labels, and each metric family's type.</summary>
public sealed partial class Scrape
{
    private Scrape(IReadOnlyList<Sample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Metric family name (as in <c># TYPE</c>, a histogram's without <c>_bucket</c>) to its type.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static async Task<Scrape> ReadAsync(HttpClient client, string path = "/metrics") => Parse(await client.GetStringAsync(path));

    public static Scrape Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
            }
            else if (!line.StartsWith('#') && SampleLine().Match(line) is { Success: true } match)
            {
                var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
                var value = match.Groups["value"].Value switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    var v => double.Parse(v, CultureInfo.InvariantCulture),
                };
                samples.Add(new Sample(match.Groups["name"].Value, labels, value));
            }
        }

        return new Scrape(samples, types);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include every pair given.</summary>
    public IEnumerable<Sample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <summary>The one sample of <paramref name="name"/> with those labels.</summary>
    public double Value(string name, params (string Name, string Value)[] labels) => Assert.Single(Find(name, labels)).Value;

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}

public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
