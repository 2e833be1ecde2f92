using System.Text;
using System.Text.RegularExpressions;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Documentation;

/// <summary>
/// The README is the front door and docs/ holds the reference: the README stays short, every relative link and
/// anchor in README.md and docs/*.md resolves, every docs page is listed in the README and in docs/README.md, and
/// the pages describe the software, not the issues it was built in.
/// </summary>
public sealed partial class DocumentationLinksTests
{
    private const int ReadmeMaxLines = 300;

    [Fact]
    public void Readme_IsUnder300Lines()
    {
        var lines = File.ReadAllLines(Repository.File("README.md")).Length;

        Assert.True(lines < ReadmeMaxLines, $"README.md has {lines} lines; keep it under {ReadmeMaxLines} and move details into docs/.");
    }

    [Fact]
    public void RelativeLinks_ResolveToFilesAndAnchors()
    {
        var problems = new List<string>();
        foreach (var page in Pages())
        {
            foreach (var (line, target) in Links(page))
            {
                if (!IsRelative(target))
                {
                    continue;
                }

                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
                var resolved = path.Length == 0
                    ? page
                    : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
                var where = $"{Relative(page)}:{line}: ({target})";

                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    problems.Add($"{where}: {Relative(resolved)} does not exist");
                    continue;
                }

                if (anchor is not null && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !Anchors(resolved).Contains(anchor))
                {
                    problems.Add($"{where}: {Relative(resolved)} has no heading with the anchor #{anchor}");
                }
            }
        }

        Assert.True(problems.Count == 0, "broken links:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EveryDocsPage_IsLinkedFromTheReadmeAndTheDocsIndex()
    {
        var readme = Repository.File("README.md");
        var index = Repository.File("docs", "README.md");
        var fromReadme = LinkedFiles(readme);
        var fromIndex = LinkedFiles(index);
        var problems = new List<string>();

        foreach (var page in Directory.GetFiles(Repository.File("docs"), "*.md").Select(Path.GetFullPath).Order(StringComparer.Ordinal))
        {
            if (!fromReadme.Contains(page))
            {
                problems.Add($"{Relative(page)} is not linked from README.md");
            }

            if (page != Path.GetFullPath(index) && !fromIndex.Contains(page))
            {
                problems.Add($"{Relative(page)} is not linked from docs/README.md");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Pages_NameNoIssueNumbers()
    {
        var problems = new List<string>();
        foreach (var page in Pages())
        {
            var lines = File.ReadAllLines(page);
            for (var i = 0; i < lines.Length; i++)
            {
                if (IssueNumber().Match(lines[i]) is { Success: true } match)
                {
                    problems.Add($"{Relative(page)}:{i + 1}: '{match.Value}'");
                }
            }
        }

        Assert.True(problems.Count == 0, "describe what the software does, not the issue it came from:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("Reloading", "reloading")]
    [InlineData("`Gateway:Shutdown` — contract", "gatewayshutdown--contract")]
    [InlineData("`Gateway:Assertion` and `Gateway:Apis:<name>:Assertion`", "gatewayassertion-and-gatewayapisnameassertion")]
    [InlineData("OAuth 2.0 Token Exchange (RFC 8693)", "oauth-20-token-exchange-rfc-8693")]
    [InlineData("The gateway's key documents", "the-gateways-key-documents")]
    [InlineData("A fleet: one cache for every replica", "a-fleet-one-cache-for-every-replica")]
    [InlineData("[WamsGatewayDown](#x) runbook", "wamsgatewaydown-runbook")]
    public void Slug_FollowsGitHub(string heading, string expected) => Assert.Equal(expected, Slug(heading));

    /// <summary>README.md and every docs/*.md.</summary>
    private static IEnumerable<string> Pages() =>
        new[] { Path.GetFullPath(Repository.File("README.md")) }
            .Concat(Directory.GetFiles(Repository.File("docs"), "*.md").Select(Path.GetFullPath).Order(StringComparer.Ordinal));

    private static HashSet<string> LinkedFiles(string page) =>
        Links(page)
            .Select(link => link.Target)
            .Where(IsRelative)
            .Select(target => target.Split('#')[0])
            .Where(path => path.Length > 0)
            .Select(path => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path))))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The inline links of a markdown file, outside fenced code blocks and inline code, with their line numbers.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string page)
    {
        var lines = File.ReadAllLines(page);
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (Fence().IsMatch(lines[i]))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                continue;
            }

            foreach (Match match in Link().Matches(InlineCode().Replace(lines[i], string.Empty)))
            {
                yield return (i + 1, match.Groups["target"].Value);
            }
        }
    }

    private static bool IsRelative(string target) =>
        !target.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        && !target.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        && !target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)
        && !target.StartsWith("//", StringComparison.Ordinal);

    /// <summary>The anchors GitHub gives a markdown file's headings, a repeated one suffixed -1, -2, ...</summary>
    private static HashSet<string> Anchors(string page)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in File.ReadAllLines(page))
        {
            if (Fence().IsMatch(line))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced || Heading().Match(line) is not { Success: true } heading)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return anchors;
    }

    /// <summary>GitHub's heading slug: link text kept, lower case, everything but letters, digits, spaces, '-' and '_' dropped, spaces to '-'.</summary>
    private static string Slug(string heading)
    {
        var text = LinkInHeading().Replace(heading, "${text}").Trim().ToLowerInvariant();
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static string Relative(string path) => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');

    [GeneratedRegex(@"^\s*(```|~~~)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(`+)[^`]*?\1")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkInHeading();

    [GeneratedRegex(@"\bissue\s+#?\d+", RegexOptions.IgnoreCase)]
    private static partial Regex IssueNumber();
}
