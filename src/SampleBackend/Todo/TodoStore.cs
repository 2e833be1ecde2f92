using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace SampleBackend.Todo;

/// <summary>The <c>todoitem</c> table in SQLite. Every query names the user: no call can reach another user's rows.</summary>
public sealed class TodoStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public TodoStore(IOptions<SampleBackendOptions> options, TimeProvider time)
    {
        var path = Path.GetFullPath(options.Value.Database);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        _time = time;
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS todoitem (
                id TEXT PRIMARY KEY,
                text TEXT NOT NULL,
                complete INTEGER NOT NULL,
                userId TEXT NOT NULL,
                createdAt TEXT NOT NULL,
                updatedAt TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS todoitem_user ON todoitem (userId, createdAt);
            """);
    }

    public async Task<IReadOnlyList<TodoItem>> ListAsync(string userId, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT id, text, complete, userId, createdAt, updatedAt FROM todoitem WHERE userId = $user ORDER BY createdAt, id", ("$user", userId));
        return await ReadAsync(command, cancel);
    }

    public async Task<TodoItem?> FindAsync(string userId, string id, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT id, text, complete, userId, createdAt, updatedAt FROM todoitem WHERE userId = $user AND id = $id", ("$user", userId), ("$id", id));
        return (await ReadAsync(command, cancel)).SingleOrDefault();
    }

    public async Task<TodoItem> InsertAsync(string userId, string text, bool complete, CancellationToken cancel)
    {
        var now = _time.GetUtcNow();
        var item = new TodoItem(Guid.NewGuid().ToString("N"), text, complete, userId, now, now);
        await using var connection = Open();
        await using var command = Command(connection,
            "INSERT INTO todoitem (id, text, complete, userId, createdAt, updatedAt) VALUES ($id, $text, $complete, $user, $now, $now)",
            ("$id", item.Id), ("$text", text), ("$complete", complete ? 1 : 0), ("$user", userId), ("$now", Format(now)));
        await command.ExecuteNonQueryAsync(cancel);
        return item;
    }

    public async Task<TodoItem?> UpdateAsync(string userId, string id, string? text, bool? complete, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            UPDATE todoitem SET text = coalesce($text, text), complete = coalesce($complete, complete), updatedAt = $now
            WHERE userId = $user AND id = $id
            """,
            ("$text", text), ("$complete", complete is null ? null : complete.Value ? 1 : 0), ("$now", Format(_time.GetUtcNow())), ("$user", userId), ("$id", id));
        return await command.ExecuteNonQueryAsync(cancel) == 0 ? null : await FindAsync(userId, id, cancel);
    }

    public async Task<bool> DeleteAsync(string userId, string id, CancellationToken cancel)
    {
        await using var connection = Open();
        await using var command = Command(connection, "DELETE FROM todoitem WHERE userId = $user AND id = $id", ("$user", userId), ("$id", id));
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<IReadOnlyList<TodoItem>> ReadAsync(SqliteCommand command, CancellationToken cancel)
    {
        var items = new List<TodoItem>();
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            items.Add(new TodoItem(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2) != 0,
                reader.GetString(3),
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture)));
        }

        return items;
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
