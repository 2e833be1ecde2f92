using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace SampleBackend.Aws;

/// <summary>S3-style objects in the same SQLite file, kept per owner: a user sees only what they stored.</summary>
public sealed class ObjectStore
{
    private readonly string _connectionString;

    public ObjectStore(IOptions<SampleBackendOptions> options)
    {
        var path = Path.GetFullPath(options.Value.Database);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS objects (owner TEXT NOT NULL, key TEXT NOT NULL, contentType TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (owner, key))";
        command.ExecuteNonQuery();
    }

    public async Task PutAsync(string owner, string key, string contentType, byte[] body, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO objects (owner, key, contentType, body) VALUES ($owner, $key, $type, $body) ON CONFLICT (owner, key) DO UPDATE SET contentType = $type, body = $body";
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$type", contentType);
        command.Parameters.AddWithValue("$body", body);
        await command.ExecuteNonQueryAsync(cancel);
    }

    public async Task<(string ContentType, byte[] Body)?> GetAsync(string owner, string key, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT contentType, body FROM objects WHERE owner = $owner AND key = $key";
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        return await reader.ReadAsync(cancel) ? (reader.GetString(0), (byte[])reader[1]) : null;
    }

    public async Task<bool> DeleteAsync(string owner, string key, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM objects WHERE owner = $owner AND key = $key";
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
