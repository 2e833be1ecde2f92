using System.Text;
using StackExchange.Redis;

namespace WamsGateway.Tests.Support;

/// <summary>One Redis key's content: hash fields (a string's value under the empty name) as bytes, list items as text.</summary>
public sealed record RedisValueDump(Dictionary<string, byte[]> Fields, List<string> Items)
{
    /// <summary>Everything in it as one text (bytes as Latin-1), to search for what must not be there.</summary>
    public string Text => string.Concat(Fields.Select(f => $"{f.Key}={Encoding.Latin1.GetString(f.Value)}\n")) + string.Join('\n', Items);
}

/// <summary>Every key in Redis with its content, as <c>redis-cli --scan</c> and a dump would show it.</summary>
public static class RedisDump
{
    public static async Task<Dictionary<string, RedisValueDump>> ReadAsync(string configuration)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var db = redis.GetDatabase();
        var dump = new Dictionary<string, RedisValueDump>(StringComparer.Ordinal);
        foreach (var key in server.Keys(pattern: "*"))
        {
            var entry = new RedisValueDump([], []);
            switch (await db.KeyTypeAsync(key))
            {
                case RedisType.Hash:
                    foreach (var field in await db.HashGetAllAsync(key))
                    {
                        entry.Fields[field.Name.ToString()] = (byte[])field.Value!;
                    }

                    break;
                case RedisType.List:
                    entry.Items.AddRange((await db.ListRangeAsync(key)).Select(v => v.ToString()));
                    break;
                case RedisType.String:
                    entry.Fields[string.Empty] = (byte[])(await db.StringGetAsync(key))!;
                    break;
            }

            dump[key.ToString()] = entry;
        }

        return dump;
    }
}
