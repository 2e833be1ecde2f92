namespace WamsGateway.TestSupport;

/// <summary>Folders under the system temp folder, one per use, for content roots, key files and databases.</summary>
public static class TempDirectory
{
    public static string Create(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "wamsgateway-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
