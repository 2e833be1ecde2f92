using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Configuration;

/// <summary>Nothing in the repository's code, tests, scripts or deployment reads from outside it.</summary>
public sealed class RepositoryStandsAloneTests
{
    private static readonly string[] Folders = ["src", "tests", "scripts", "deploy", ".ci", "docs", "bench"];

    // Built from parts, so this file does not itself name the path it looks for.
    private static readonly string Outside = string.Join('/', "..", "shared");

    [Fact]
    public void NoFileReferencesTheWorkspaceOutsideTheRepository()
    {
        var root = Repository.Root;
        var offenders = Folders
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => !file.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "TestData" or "node_modules"))
            .Where(file => File.ReadAllText(file).Contains(Outside, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(root, file))
            .ToList();

        Assert.Empty(offenders);
    }
}
