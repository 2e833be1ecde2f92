using StackExchange.Redis;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// The Lua scripts a Fleet rate limit runs in Redis, one per acquire, each on one key (<c>KEYS[1]</c>, the
/// partition's). Time is Redis's own (<c>TIME</c>, or a key's expiry), so replicas with skewed clocks agree. Whatever
/// a key holds is checked before it is used: another type, an unreadable number, a time ahead of Redis's clock by
/// more than the skew allowance, a count over the limit, or an expiry longer than the state could live, is treated
/// as empty (or capped) and overwritten, never an error; and every call leaves the key expiring within the window
/// (the bucket's refill-to-full time, the lease lifetime). So state another writer planted refuses its partition at
/// most until the window ends. Each reply is <c>{granted (1 or 0), retry after (ms), found}</c>, where found sums
/// what the key held that these scripts never leave behind (<see cref="FleetRateLimitFindings"/>).
/// </summary>
internal static class FleetRateLimitScripts
{
    /// <summary>Helpers every script starts with.</summary>
    private const string Common = """
        -- What a script found that its own scripts never leave behind (the reply's third number, a sum of):
        -- 1 another Redis type at the key, 2 an unreadable number, 4 a time ahead of Redis's clock,
        -- 8 a count over the limit, 16 no expiry, or one longer than the state can live.
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end

        local function bad(n)
          return n == nil or n ~= n or n == math.huge or n == -math.huge
        end

        -- A sorted set of times: members at or before `oldest` are gone; after `newest + skew`, dated ahead
        -- of any clock, gone too; in (newest, newest + skew], dated `newest`; at most `limit` kept (the latest).
        local function tidy(key, oldest, newest, skew, limit)
          local found = 0
          redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', oldest))
          if redis.call('ZREMRANGEBYSCORE', key, string.format('(%.0f', newest + skew), '+inf') > 0 then
            found = found + 4
          end
          local count = redis.call('ZCARD', key)
          if count > limit then
            redis.call('ZREMRANGEBYRANK', key, 0, count - limit - 1)
            count = limit
            found = found + 8
          end
          local ahead = redis.call('ZRANGEBYSCORE', key, string.format('(%.0f', newest), '+inf')
          for i = 1, #ahead do
            redis.call('ZADD', key, newest, ahead[i])
          end
          return count, found
        end

        -- The key's type; anything but `expected` (or nothing) is deleted and reported.
        local function own(key, expected)
          local kind = redis.call('TYPE', key).ok
          if kind == expected then
            return 0, redis.call('PTTL', key)
          end
          if kind ~= 'none' then
            redis.call('DEL', key)
            return 1, -2
          end
          return 0, -2
        end
        """;

    /// <summary>ARGV: permit limit, window (ms). A string: the window's count; the window ends when the key expires.</summary>
    public const string FixedWindow = Common + """

        -- FixedWindow. KEYS[1]: the partition. ARGV: permit limit, window (ms).
        -- A string: the count of the current window, which ends when the key expires.
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local found, ttl = own(key, 'string')
        local count = nil
        if ttl ~= -2 then
          count = tonumber(redis.call('GET', key))
          if bad(count) or count < 0 then
            found = found + 2
            count = nil
          elseif ttl <= 0 or ttl > window then
            -- 0: the window ends this very millisecond (its count is over, not planted)
            if ttl ~= 0 then
              found = found + 16
            end
            count = nil
          elseif count > limit then
            found = found + 8
            count = limit
          else
            count = math.floor(count)
          end
        end
        if count == nil then
          count = 0
          ttl = window
        end
        if count < limit then
          redis.call('SET', key, count + 1, 'PX', ttl)
          return {1, 0, found}
        end
        if found > 0 then
          redis.call('SET', key, count, 'PX', ttl)
        end
        return {0, ttl, found}
        """;

    /// <summary>ARGV: permit limit, window (ms), skew allowance (ms), a member never used before. A sorted set of the permits granted, scored with the time.</summary>
    public const string SlidingWindow = Common + """

        -- SlidingWindow. KEYS[1]: the partition. ARGV: permit limit, window (ms), skew allowance (ms), a new member.
        -- A sorted set: one member per permit, scored with the time it was granted.
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local skew = tonumber(ARGV[3])
        local now = now_ms()
        local found, ttl = own(key, 'zset')
        if ttl == -1 or ttl > window then
          found = found + 16
        end
        local count, tidied = tidy(key, now - window, now, skew, limit)
        found = found + tidied
        if count < limit then
          redis.call('ZADD', key, now, ARGV[4])
          redis.call('PEXPIRE', key, window)
          return {1, 0, found}
        end
        redis.call('PEXPIRE', key, window)
        local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
        return {0, tonumber(first[2]) + window - now, found}
        """;

    /// <summary>ARGV: token limit, tokens per period, period (ms), skew allowance (ms). A hash: the tokens left and the time of the last refill.</summary>
    public const string TokenBucket = Common + """

        -- TokenBucket. KEYS[1]: the partition. ARGV: token limit, tokens per period, period (ms), skew allowance (ms).
        -- A hash: `tokens` left, and `at`, the time of the last refill. No key: a full bucket.
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local period = tonumber(ARGV[3])
        local skew = tonumber(ARGV[4])
        local now = now_ms()
        local found, ttl = own(key, 'hash')
        local tokens, at = nil, nil
        if ttl ~= -2 then
          if ttl == -1 or ttl > math.ceil(limit / rate) * period then
            found = found + 16
          end
          local state = redis.call('HMGET', key, 'tokens', 'at')
          tokens = tonumber(state[1])
          at = tonumber(state[2])
          if bad(tokens) or bad(at) or tokens < 0 or at < 0 then
            found = found + 2
            tokens = nil
          elseif at > now + skew then
            found = found + 4
            tokens = nil
          elseif tokens > limit then
            found = found + 8
            tokens = limit
          end
        end
        if tokens == nil then
          tokens = limit
          at = now
        end
        tokens = math.floor(tokens)
        at = math.min(math.floor(at), now)
        local periods = math.floor((now - at) / period)
        if periods > 0 then
          tokens = math.min(limit, tokens + periods * rate)
          at = at + periods * period
        end
        local allowed = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        end
        redis.call('DEL', key)
        if tokens < limit then
          redis.call('HSET', key, 'tokens', tokens, 'at', at)
          -- Gone when the bucket would be full again: the periods the missing tokens take, from the last refill.
          redis.call('PEXPIRE', key, math.ceil((limit - tokens) / rate) * period - (now - at))
        end
        if allowed == 1 then
          return {1, 0, found}
        end
        return {0, period - (now - at), found}
        """;

    /// <summary>ARGV: permit limit, lease lifetime (ms), skew allowance (ms), the lease's member. A sorted set of the leases held, scored with the time each lapses.</summary>
    public const string Concurrency = Common + """

        -- Concurrency. KEYS[1]: the partition. ARGV: permit limit, lease lifetime (ms), skew allowance (ms), a new member.
        -- A sorted set: one member per lease held, scored with the time it lapses if never released.
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local lifetime = tonumber(ARGV[2])
        local skew = tonumber(ARGV[3])
        local now = now_ms()
        local found, ttl = own(key, 'zset')
        if ttl == -1 or ttl > lifetime then
          found = found + 16
        end
        local count, tidied = tidy(key, now, now + lifetime, skew, limit)
        found = found + tidied
        local allowed = 0
        if count < limit then
          redis.call('ZADD', key, now + lifetime, ARGV[4])
          allowed = 1
        end
        redis.call('PEXPIRE', key, lifetime)
        return {allowed, 0, found}
        """;

    /// <summary>
    /// ARGV: the count to add, the key's lifetime (ms). A string: one fixed window's count, the window named in the
    /// key (<see cref="SyncedFleetRateLimiter"/>), added to by every replica at its sync interval. Replies
    /// <c>{the fleet's count after the addition, Redis's time (ms), found}</c>.
    /// </summary>
    public const string SyncedFixedWindow = Common + """

        -- FixedWindow settled at an interval. KEYS[1]: the partition's key for one window. ARGV: the count to add,
        -- the key's lifetime (ms). A string: the window's count across the fleet.
        local key = KEYS[1]
        local add = tonumber(ARGV[1])
        local lifetime = tonumber(ARGV[2])
        local found, ttl = own(key, 'string')
        local count = 0
        if ttl ~= -2 then
          count = tonumber(redis.call('GET', key))
          if bad(count) or count < 0 then
            found = found + 2
            count = 0
          end
          if ttl == -1 or ttl > lifetime then
            found = found + 16
            ttl = lifetime
          end
        else
          ttl = lifetime
        end
        count = math.floor(count) + add
        if add > 0 or found > 0 then
          redis.call('SET', key, count, 'PX', ttl)
        end
        return {count, now_ms(), found}
        """;

    /// <summary>
    /// A script's reply, <c>{first, second, found}</c>, three integers (each script says what the first two are); what
    /// it found and set right is reported. False for anything else: Redis failing, as a dropped connection would be.
    /// </summary>
    public static bool TryReadReply(RedisResult reply, FleetRateLimitFindingsReport findings, out long first, out long second)
    {
        first = 0;
        second = 0;
        if (reply.Resp2Type != ResultType.Array || reply.Length != 3 || reply[0].Resp2Type != ResultType.Integer
            || reply[1].Resp2Type != ResultType.Integer || reply[2].Resp2Type != ResultType.Integer)
        {
            return false;
        }

        var found = (long)reply[2];
        if (found != 0)
        {
            findings.Found((FleetRateLimitFindings)(found & (long)FleetRateLimitFindings.All));
        }

        first = (long)reply[0];
        second = (long)reply[1];
        return true;
    }
}
