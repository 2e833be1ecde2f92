namespace WamsGateway.Management;

/// <summary>
/// Set on every connection accepted by a management listener (a Kestrel connection middleware), so a
/// request knows which listener it came in on whatever port was bound, port 0 included.
/// </summary>
internal sealed class ManagementConnection
{
    public static readonly ManagementConnection Instance = new();

    private ManagementConnection()
    {
    }

    public static bool Is(HttpContext context) => context.Features.Get<ManagementConnection>() is not null;
}
