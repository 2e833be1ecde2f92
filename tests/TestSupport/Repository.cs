namespace WamsGateway.TestSupport;

/// <summary>The checkout the tests run from, for tests that read its files (docs, deploy, scripts).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string File(params string[] relative) => Path.Combine([Root, .. relative]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "WamsGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("WamsGateway.sln");
    }
}
