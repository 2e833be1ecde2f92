#!/usr/bin/env bash
# The gateway's benchmark, as ratios to plain YARP measured in the same run (absolute numbers on two
# shared cores move; ratios hold). Servers run pinned to one core (BENCH_SERVER_CPU, default 0) and
# wrk to the other (BENCH_LOAD_CPU, default 1). Scenarios are interleaved, BENCH_ROUNDS rounds (6),
# each a BENCH_WARMUP warm-up (2s) then BENCH_DURATION (5s) of wrk with BENCH_CONNECTIONS (32): many short rounds,
# so the two scenarios of each ratio are measured close together and the median has six of them to choose from:
#   direct      nginx itself (the one backend every scenario reaches)
#   yarp        plain YARP: same Yarp.ReverseProxy version, one route, no logging (bench/PlainYarp)
#   yarp-otel   the same with the gateway's OpenTelemetry setup, to price telemetry apart
#   diy         yarp-otel plus what a team writes by hand instead of the gateway: stock JwtBearer
#               validating every request, a fallback policy requiring a user, sub in X-User-Id
#   diy-users   the same, BENCH_ACTIVE_USERS (5,000) distinct users' tokens round robin
#   anon        the gateway, an anonymous route, no token
#   none        the gateway, an Exchange None route: token validation and identity headers
#   none-users  the same, the 5,000 users round robin (each seen once before the runs)
#   hot         the gateway, a TokenExchange route with the credential cached (the hot path)
#   hot-users   the same, the 5,000 users round robin, each exchanged once before the runs, so the token and
#               credential caches hold what a busy gateway's hold
#   hot-redis   the same with Redis configured (L1 hit, Redis backplane connected)
#   hot-assert  the hot path plus the caller's signed assertion for the backend, reused per caller token
#   hot-bound   the same with the assertion bound to the request (ES256, signed per request)
#   hot-limited the hot path under a per-user rate limit it never reaches, counted in process
#   hot-limited-fleet  the same on the Redis gateway, the limit counted in Redis (Scope Fleet)
#   hot-limited-sync   the same, a Scope Fleet limit settled with Redis every second (SyncInterval; BENCH_SYNC_INTERVAL)
#   cold        a new user's token on every request: one validation and one exchange at the local authority
# BENCH_SERVE_ONLY=1 starts and warms the servers, then keeps them up for bench/profile.sh until stopped.
# BENCH_SCENARIOS (names, space-separated) runs some of them only; yarp, yarp-otel, diy and diy-users always run, as the ratios
# need them. BENCH_MEMORY=0 leaves the memory scenario out.
# Each scenario first runs BENCH_INITIAL_WARMUP (20s) unrecorded, so tiered compilation has settled.
# Besides wrk's figures: the serving process's CPU time per request (steadier than requests/s on shared
# cores) and, in a short run after the rounds, the bytes it allocates per request (dotnet-counters).
# Then the memory scenario: BENCH_MEMORY_SECONDS (180) at saturation through the hot route of a fresh gateway,
# BENCH_USERS (30,000) distinct users round robin (more than its token cache keeps, so entries come and go):
# its resident memory after the first minute and at the end, the requests that failed, and its live heap
# after a full collection (dotnet-gcdump), against the bounds bench/gateway.json configures. dotnet-counters and dotnet-gcdump
# are installed into .local/tools on first use.
# Installs wrk, nginx and redis-server with apt-get where missing. Writes .local/bench/results.md and .json, and wrk's own
# output of each sample to .local/bench/run/wrk-<scenario>-<round>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${BENCH_ROUNDS:-6}
duration=${BENCH_DURATION:-5s}
warmup=${BENCH_WARMUP:-2s}
connections=${BENCH_CONNECTIONS:-32}
server_cpu=${BENCH_SERVER_CPU:-0}
load_cpu=${BENCH_LOAD_CPU:-1}
users=${BENCH_USERS:-30000}
active_users=${BENCH_ACTIVE_USERS:-5000}
memory_seconds=${BENCH_MEMORY_SECONDS:-180}
only=${BENCH_SCENARIOS:-}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
  ($sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq "${missing[@]}") >/dev/null
  ($sudo_ service nginx stop || true; $sudo_ service redis-server stop || true) >/dev/null 2>&1
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

out=.local/bench
run=$out/run
rm -rf "$run"
mkdir -p "$run/logs"
dotnet build WamsGateway.sln -c Release -nologo -v quiet -clp:ErrorsOnly
bin=bin/Release/net10.0

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# Stopped by a signal (Ctrl-C, kill), the servers stop too.
trap 'exit 130' INT TERM
start() {
  local name=$1; shift
  # taskset execs the server: $! is the server itself, which the trap stops.
  taskset -c "$server_cpu" "$@" >"$run/logs/$name.log" 2>&1 &
  pids+=($!)
}
wait_for() {
  for _ in $(seq 1 240); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.25
  done
  echo "$1 did not answer; logs in $run/logs" >&2
  exit 1
}

sed "s#BENCH_DIR#$PWD/$run#g" bench/nginx.conf >"$run/nginx.conf"
start nginx "$nginx_bin" -c "$PWD/$run/nginx.conf" -p "$PWD/$run"
start redis redis-server --port 5320 --bind 127.0.0.1 --save "" --appendonly no --dir "$PWD/$run"
start authority dotnet src/LocalAuthority/$bin/LocalAuthority.dll --contentRoot "$PWD/src/LocalAuthority/$bin" \
  --urls http://127.0.0.1:5310 --LocalAuthority:KeyFile="$PWD/$run/signing-keys.json" --Logging:LogLevel:Default=Warning
start yarp dotnet bench/PlainYarp/$bin/PlainYarp.dll --urls http://127.0.0.1:5302 --backend http://127.0.0.1:5301/
start yarp-otel dotnet bench/PlainYarp/$bin/PlainYarp.dll --urls http://127.0.0.1:5303 --backend http://127.0.0.1:5301/ --otel
start diy dotnet bench/PlainYarp/$bin/PlainYarp.dll --urls http://127.0.0.1:5307 --backend http://127.0.0.1:5301/ --otel \
  --jwt-authority http://127.0.0.1:5310/ --jwt-audience https://orders.local
gateway() {
  local name=$1 port=$2; shift 2
  # Timestamps in the servers' logs, to line a warning up with the sample it came in (a wrk-<scenario>-<round>.txt was written as its sample ended).
  start "$name" dotnet src/Gateway/$bin/WamsGateway.dll --contentRoot "$PWD/src/Gateway/$bin" \
    --urls "http://127.0.0.1:$port" --config "$PWD/bench/gateway.json" "--Logging:Console:TimestampFormat=HH:mm:ss.fff " "$@"
}
kek=$(head -c 32 /dev/urandom | base64)
gateway gateway 5304
# The Redis gateway counts bench-limit in Redis, and has a second limit settled with Redis every second.
sync_limit=Gateway:RateLimits:bench-limit-sync
sync_route=ReverseProxy:Routes:hot-limited-sync
gateway gateway-redis 5305 --Gateway:Redis:Configuration=127.0.0.1:5320 --Gateway:Redis:KeyRingKey="$kek" \
  --Gateway:RateLimits:bench-limit:Scope=Fleet \
  --$sync_limit:PermitLimit=1000000 --$sync_limit:Window=00:01:00 --$sync_limit:Scope=Fleet --$sync_limit:SyncInterval="${BENCH_SYNC_INTERVAL:-00:00:01}" \
  --$sync_route:ClusterId=nginx "--$sync_route:Match:Path=/hot-limited-sync/{**rest}" --$sync_route:Metadata:Api=orders \
  --$sync_route:RateLimiterPolicy=bench-limit-sync
gateway gateway-memory 5306

wait_for http://127.0.0.1:5301/
wait_for http://127.0.0.1:5310/.well-known/openid-configuration
for port in 5302 5303 5307; do wait_for "http://127.0.0.1:$port/"; done
for port in 5304 5305 5306; do wait_for "http://127.0.0.1:$port/healthz/ready"; done

tool=bench/BenchTool/$bin/BenchTool.dll
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local 1 "$run/hot.txt"
# One set of distinct users: the cold scenario's (gateway :5304) and the memory scenario's (a fresh gateway, :5306).
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local "$users" "$run/users.txt"
# The busy gateway's users, other than those: each exchanged once on both gateways before any run.
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local "$active_users" "$run/active.txt" "bench-active"
hot=$(head -n 1 "$run/hot.txt")
for port in 5304 5305; do
  for path in none hot hot-assert hot-bound hot-limited; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $hot" "http://127.0.0.1:$port/$path/")
    [ "$code" = 200 ] || { echo "warm-up of :$port/$path/ answered $code; logs in $run/logs" >&2; exit 1; }
  done
  if [ "$port" = 5305 ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $hot" "http://127.0.0.1:$port/hot-limited-sync/")
    [ "$code" = 200 ] || { echo "warm-up of :$port/hot-limited-sync/ answered $code; logs in $run/logs" >&2; exit 1; }
  fi
  for path in hot none; do
    dotnet "$tool" drive "http://127.0.0.1:$port/$path/" "$run/active.txt" "$connections" >/dev/null \
      || { echo "pre-exchange of the active users on :$port/$path/ failed; logs in $run/logs" >&2; exit 1; }
  done
done

if [ "${BENCH_SERVE_ONLY:-0}" = 1 ]; then
  # For bench/profile.sh: the servers stay up, warmed, until this script is stopped.
  echo "serving: yarp :5302, yarp-otel :5303, diy :5307, gateway :5304, gateway with Redis :5305; one user's token in $run/hot.txt, the active users' in $run/active.txt"
  wait
fi

# name|url|bearer token ("" none, "users" the active users round robin, "cold" the memory users, one per request)
all_scenarios=(
  "direct|http://127.0.0.1:5301/|"
  "yarp|http://127.0.0.1:5302/|"
  "diy|http://127.0.0.1:5307/|$hot"
  "diy-users|http://127.0.0.1:5307/|users"
  "anon|http://127.0.0.1:5304/anon/|"
  "none|http://127.0.0.1:5304/none/|$hot"
  "none-users|http://127.0.0.1:5304/none/|users"
  # In the middle of the round: the scenarios most ratios are taken against are measured close to it.
  "yarp-otel|http://127.0.0.1:5303/|"
  "hot|http://127.0.0.1:5304/hot/|$hot"
  "hot-users|http://127.0.0.1:5304/hot/|users"
  "hot-redis|http://127.0.0.1:5305/hot/|$hot"
  "hot-assert|http://127.0.0.1:5304/hot-assert/|$hot"
  "hot-bound|http://127.0.0.1:5304/hot-bound/|$hot"
  "hot-limited|http://127.0.0.1:5304/hot-limited/|$hot"
  "hot-limited-fleet|http://127.0.0.1:5305/hot-limited/|$hot"
  "hot-limited-sync|http://127.0.0.1:5305/hot-limited-sync/|$hot"
  "cold|http://127.0.0.1:5304/hot/|cold"
)
scenarios=()
for scenario in "${all_scenarios[@]}"; do
  name=${scenario%%|*}
  case " yarp yarp-otel diy diy-users $only " in
    *" $name "*) scenarios+=("$scenario") ;;
    *) [ -z "$only" ] && scenarios+=("$scenario") ;;
  esac
done

load() {
  local url=$1 token=$2 length=$3
  local args=(-t1 "-c$connections" "-d$length" --latency)
  local tokens=""
  case "$token" in cold) tokens=users.txt ;; users) tokens=active.txt ;; esac
  if [ -n "$tokens" ]; then
    BENCH_TOKENS="$PWD/$run/$tokens" taskset -c "$load_cpu" wrk "${args[@]}" -s bench/tokens.lua "$url"
  elif [ -n "$token" ]; then
    taskset -c "$load_cpu" wrk "${args[@]}" -H "Authorization: Bearer $token" "$url"
  else
    taskset -c "$load_cpu" wrk "${args[@]}" "$url"
  fi
}

# wrk's text: requests/s, the 50 % and 99 % latencies in ms, non-2xx answers and the requests sent.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { errors = $NF }
    END { printf "%s\t%.3f\t%.3f\t%s\t%s\n", rps, p50, p99, (errors == "" ? 0 : errors), total }'
}

# The CPU time (user + system, clock ticks) the processes have used so far. Throughput on two shared
# cores moves with the neighbours; the server's CPU time per request moves much less.
ticks() { local t=0 pid; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
server_pid() { pgrep -f "$1" | head -n 1; }
gateway_pid() { server_pid "WamsGateway.dll.*--urls http://127.0.0.1:$1"; }
# Which processes serve each scenario (nginx: its master and worker).
declare -A serving
nginx_master=$(server_pid "nginx.*$PWD/$run")
serving[direct]="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"
serving[yarp]=$(server_pid "PlainYarp.dll --urls http://127.0.0.1:5302")
serving[yarp-otel]=$(server_pid "PlainYarp.dll --urls http://127.0.0.1:5303")
serving[diy]=$(server_pid "PlainYarp.dll --urls http://127.0.0.1:5307")
serving[diy-users]=${serving[diy]}
for name in anon none none-users hot hot-users hot-assert hot-bound hot-limited cold; do serving[$name]=$(gateway_pid 5304); done
serving[hot-redis]=$(gateway_pid 5305)
serving[hot-limited-fleet]=$(gateway_pid 5305)
serving[hot-limited-sync]=$(gateway_pid 5305)
authority_pid=$(server_pid "LocalAuthority.dll")

: >"$run/samples.tsv"
# Tiered compilation and PGO settle under load: every scenario runs once, unrecorded, first.
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name url token <<<"$scenario"
  load "$url" "$token" "${BENCH_INITIAL_WARMUP:-20s}" >/dev/null
done
# The host's steal (time a virtual machine's cores were taken away): what makes two runs on shared cores differ.
steal_jiffies() { awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r steal_before total_before <<<"$(steal_jiffies)"
for round in $(seq 1 "$rounds"); do
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name url token <<<"$scenario"
    load "$url" "$token" "$warmup" >/dev/null
    # shellcheck disable=SC2086 # a list of pids
    before=$(ticks ${serving[$name]}); authority_before=$(ticks "$authority_pid")
    result=$(load "$url" "$token" "$duration" | tee "$run/wrk-$name-$round.txt" | parse)
    # shellcheck disable=SC2086
    cpu=$(( ($(ticks ${serving[$name]}) - before) * tick_us )); authority_cpu=$(( ($(ticks "$authority_pid") - authority_before) * tick_us ))
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$result" "$cpu" "$authority_cpu" | tee -a "$run/samples.tsv"
  done
done
read -r steal_after total_after <<<"$(steal_jiffies)"
steal_percent=$(awk -v s="$((steal_after - steal_before))" -v t="$((total_after - total_before))" 'BEGIN { printf "%.1f", (t > 0 ? s * 100 / t : 0) }')

# Bytes allocated per request (the runtime's own counter, read with dotnet-counters), one short run each,
# after the rounds so it cannot disturb them.
tools=.local/tools
for tool_name in dotnet-counters dotnet-gcdump; do
  [ -x "$tools/$tool_name" ] || dotnet tool install --tool-path "$tools" "$tool_name" >/dev/null 2>&1 || true
done
: >"$run/allocations.tsv"
if [ -x "$tools/dotnet-counters" ]; then
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name url token <<<"$scenario"
    [ "$name" = direct ] && continue
    load "$url" "$token" 7s >"$run/alloc-$name.txt" &
    loader=$!
    sleep 1
    "$tools/dotnet-counters" collect -p "${serving[$name]}" --counters 'System.Runtime[dotnet.gc.heap.total_allocated]' \
      --format csv -o "$run/alloc-$name.csv" --duration 00:00:00:05 --refresh-interval 1 >/dev/null 2>&1 || true
    wait "$loader"
    rate=$(awk -F, '/total_allocated/ { s += $5; n++ } END { if (n) printf "%.0f", s / n }' "$run/alloc-$name.csv" 2>/dev/null)
    rps=$(awk '/Requests\/sec:/ { print $2 }' "$run/alloc-$name.txt")
    [ -n "$rate" ] && printf '%s\t%.0f\n' "$name" "$(echo "$rate / $rps" | bc -l)" >>"$run/allocations.tsv"
  done
fi

rss() { ps -o rss= -p "$1" | awk '{printf "%.0f", $1 / 1024}'; }
declare -A rss_after
for port in 5304 5305; do rss_after[$port]=$(rss "$(gateway_pid $port)"); done

# Memory: BENCH_USERS distinct users round robin through the hot route of a gateway that has served one request so
# far, at saturation for BENCH_MEMORY_SECONDS; resident memory after the first minute and at the end.
memory_pid=$(gateway_pid 5306)
curl -s -o /dev/null -H "Authorization: Bearer $hot" http://127.0.0.1:5306/hot/
rss_before=$(rss "$memory_pid")
rss_minute=n/a; rss_users=n/a; memory_failed=n/a; memory_sent=0
if [ "${BENCH_MEMORY:-1}" != 0 ]; then
  BENCH_TOKENS="$PWD/$run/users.txt" taskset -c "$load_cpu" wrk -t1 "-c$connections" "-d${memory_seconds}s" -s bench/tokens.lua \
    http://127.0.0.1:5306/hot/ >"$run/memory.txt" &
  loader=$!
  sleep 60
  rss_minute=$(rss "$memory_pid")
  wait "$loader"
  rss_users=$(rss "$memory_pid")
  # Failed: non-2xx answers and socket errors (connect, read, write, timeout).
  memory_failed=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$run/memory.txt")
  memory_sent=$(awk '/ requests in / { print $1 }' "$run/memory.txt")
fi
# What is live after a full collection (dotnet-gcdump induces one): what the entries hold, without the
# memory the collector keeps for later.
live_mib=n/a
if [ -x "$tools/dotnet-gcdump" ] && "$tools/dotnet-gcdump" collect -p "$memory_pid" -o "$run/users.gcdump" >/dev/null 2>&1; then
  live_mib=$("$tools/dotnet-gcdump" report "$run/users.gcdump" | awk '/GC Heap bytes/ { gsub(",", "", $1); printf "%.0f", $1 / 1048576; exit }')
fi

date=$(date -u +%Y-%m-%d)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
cold_sent=$(awk -F'\t' '$1 == "cold" { n += $7 } END { print n + 0 }' "$run/samples.tsv")
awk -F'\t' -v date="$date" -v cpu="$cpu" -v cores="$(nproc)" -v rounds="$rounds" -v duration="$duration" -v conns="$connections" \
    -v rss_gw="${rss_after[5304]}" -v rss_redis="${rss_after[5305]}" -v rss_before="$rss_before" -v rss_minute="$rss_minute" -v rss_users="$rss_users" -v users="$users" \
    -v memory_seconds="$memory_seconds" -v memory_failed="$memory_failed" -v memory_sent="$memory_sent" \
    -v live="$live_mib" -v cold_sent="$cold_sent" -v steal="$steal_percent" -v md="$out/results.md" -v js="$out/results.json" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function target(label, s, yardstick, goal,   v) {
    if (!(s in rps) || !(yardstick in rps)) return
    v = ratio(s, yardstick)
    printf "| %s | %.2f | >= %.2f | %s |\n", label, v, goal, (v >= goal ? "yes" : "no") >> md
  }
  function step(label, s, from,   bytes) {
    if (!(s in cpu_us) || !(from in cpu_us)) return
    bytes = ((s in allocated) && (from in allocated)) ? sprintf("%+d", allocated[s] - allocated[from]) : "n/a"
    printf "| %s | %s − %s | %+.1f | %s |\n", label, s, from, median(cpu_us[s]) - median(cpu_us[from]), bytes >> md
  }
  FILENAME ~ /allocations/ { allocated[$1] = $2; next }
  # The median over the rounds of the ratio of two scenarios measured in the same round: a machine whose speed
  # drifts during the run moves both alike.
  function ratio(s, y,   r, list) {
    for (r = 1; r <= rounds; r++) if (((s, r) in by_round) && ((y, r) in by_round) && by_round[y, r] > 0) list = list " " by_round[s, r] / by_round[y, r]
    return list == "" ? 0 : median(list)
  }
  { by_round[$1, $2] = $3 }
  { if (!($1 in seen)) { order[++count] = $1; seen[$1] = 1 }
    rps[$1] = rps[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5; errors[$1] += $6
    if ($7 > 0) { cpu_us[$1] = cpu_us[$1] " " $8 / $7; authority_us[$1] = authority_us[$1] " " $9 / $7 } }
  END {
    base = median(rps["yarp"]); base99 = median(p99["yarp-otel"]); base_cpu = median(cpu_us["yarp"])
    otel = median(rps["yarp-otel"]); diy = median(rps["diy"]); diy_users = median(rps["diy-users"])
    printf "# Gateway benchmark, %s\n\n%s cores (%s); servers on one core, wrk on the other; %s interleaved rounds of %s, %s connections; medians. ", date, cores, cpu, rounds, duration, conns > md
    printf "Ratios: the median over the rounds of each round'"'"'s ratio (the two scenarios measured minutes apart at most). CPU: the serving process'"'"'s user and system time per request (nginx'"'"'s for direct); allocated: bytes per request from the runtime'"'"'s own counter, in a separate short run. The host took %s %% of the machine'"'"'s CPU time away during the rounds (steal; above about 1 %%, ratios move between runs).\n\n", steal >> md
    printf "| scenario | requests/s | vs plain YARP | vs yarp-otel | vs diy | p50 ms | p99 ms | p99 - yarp-otel p99 | CPU µs/request | vs plain YARP | allocated B/request | non-2xx |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n" >> md
    printf "{\n  \"date\": \"%s\", \"cores\": %s, \"cpu\": \"%s\", \"rounds\": %s, \"duration\": \"%s\", \"connections\": %s,\n  \"scenarios\": {\n", date, cores, cpu, rounds, duration, conns > js
    for (k = 1; k <= count; k++) {
      s = order[k]; r = median(rps[s]); a = median(p50[s]); b = median(p99[s]); c = median(cpu_us[s])
      alloc = (s in allocated) ? allocated[s] : "n/a"
      # The diy yardstick with the same tokens: one token for diy, the distinct users for diy-users, the -users scenarios and cold.
      dn = (s == "cold" || substr(s, length(s) - 5) == "-users") ? "diy-users" : "diy"
      printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %+.2f | %.0f | %.2f | %s | %d |\n", s, r, ratio(s, "yarp"), ratio(s, "yarp-otel"), ratio(s, dn), a, b, b - base99, c, base_cpu / c, alloc, errors[s] >> md
      printf "    \"%s\": { \"rps\": %.0f, \"ratio\": %.3f, \"ratio_otel\": %.3f, \"ratio_diy\": %.3f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"cpu_us_per_request\": %.1f, \"cpu_ratio\": %.3f, \"allocated_bytes_per_request\": %s, \"non2xx\": %d }%s\n", s, r, ratio(s, "yarp"), ratio(s, "yarp-otel"), ratio(s, dn), a, b, c, base_cpu / c, (alloc == "n/a" ? "null" : alloc), errors[s], (k < count ? "," : "") >> js
    }
    # The speed targets (docs/performance.md), each from this run (None and hot with the distinct users, where they ran).
    printf "\n| target | measured | goal | met |\n|---|---|---|---|\n" >> md
    target("anon / yarp-otel", "anon", "yarp-otel", 0.97)
    target("none-users / yarp-otel", "none-users", "yarp-otel", 0.92)
    target("hot-users / yarp-otel", "hot-users", "yarp-otel", 0.88)
    target("none-users / diy-users", "none-users", "diy-users", 1.8)
    target("hot-users / diy-users", "hot-users", "diy-users", 1.7)
    target("hot-redis / hot", "hot-redis", "hot", 0.97)
    target("hot-limited / hot", "hot-limited", "hot", 0.95)
    target("hot-limited-sync / hot", "hot-limited-sync", "hot", 0.85)
    if (("hot-users" in rps) && ("yarp-otel" in rps)) {
      over = median(p99["hot-users"]) - base99
      printf "| hot-users p99 - yarp-otel p99 | %+.2f ms | <= +0.50 ms | %s |\n", over, (over <= 0.5 ? "yes" : "no") >> md
    }
    if (rss_minute + 0 > 0 && rss_users + 0 > 0) {
      growth = (rss_users - rss_minute) * 100 / rss_minute
      printf "| memory: resident growth after the first minute, failed requests | %+.1f %%, %s failed | <= 10 %%, 0 failed | %s |\n", growth, memory_failed, (growth <= 10 && memory_failed + 0 == 0 ? "yes" : "no") >> md
    }
    # Where the time goes: each step as the difference of two scenarios of this run, in CPU and bytes per request.
    printf "\n| step | scenarios | CPU µs/request | allocated B/request |\n|---|---|---|---|\n" >> md
    step("telemetry (the gateway setup)", "yarp-otel", "yarp")
    step("the gateway on a route that needs nobody", "anon", "yarp-otel")
    step("a valid token seen before, identity headers (None)", "none", "anon")
    step("a valid token seen before, 5,000 users (None)", "none-users", "anon")
    step("a cached credential (TokenExchange)", "hot", "none")
    step("a cached credential, 5,000 users", "hot-users", "none-users")
    step("Redis configured (L1 hit)", "hot-redis", "hot")
    step("a rate limit counted in process", "hot-limited", "hot")
    step("a rate limit counted in Redis", "hot-limited-fleet", "hot")
    step("a Fleet limit with SyncInterval (1 s unless BENCH_SYNC_INTERVAL)", "hot-limited-sync", "hot")
    step("an assertion for the caller, reused", "hot-assert", "hot")
    step("an assertion bound to each request", "hot-bound", "hot")
    has_cold = ("cold" in cpu_us)
    exchange_us = median(cpu_us["cold"]) - median(cpu_us["hot"]); authority = median(authority_us["cold"])
    if (has_cold) printf "\nCold path: each request one validation and one exchange. The gateway spends %.0f µs of CPU more per request than on the hot path (the validation, the token request, the cache write); the local authority spends %.0f µs per exchange, on the same core.", exchange_us, authority >> md
    if (cold_sent > users) printf " (%d cold requests over %d distinct users: later ones were no longer cold.)", cold_sent, users >> md
    printf "\n\nResident memory after the runs: gateway %s MiB, gateway with Redis %s MiB.", rss_gw, rss_redis >> md
    if (memory_failed == "n/a") printf " The memory scenario did not run (BENCH_MEMORY=0).\n" >> md
    else {
      printf " The hot route of a fresh gateway at saturation for %s s, %s distinct users round robin (%s requests, %s failed): %s MiB before, %s MiB after the first minute, %s MiB at the end", memory_seconds, users, memory_sent, memory_failed, rss_before, rss_minute, rss_users >> md
      if (rss_minute + 0 > 0 && rss_users + 0 > 0) printf " (%+.1f %% after the first minute)", (rss_users - rss_minute) * 100 / rss_minute >> md
      printf ", %s MiB live on the heap after a full collection (bounds: Cache:MaxEntries 20,000, TokenCache:MaxEntries 10,000).\n", live >> md
    }
    printf "  },\n  \"cold\": { \"gateway_cpu_us_per_exchange\": %.1f, \"authority_cpu_us_per_exchange\": %.1f, \"requests\": %d },\n", exchange_us, authority, cold_sent >> js
    printf "  \"rss_mib\": { \"gateway\": %s, \"gateway_redis\": %s, \"users\": %s, \"before_users\": %s, \"after_first_minute\": %s, \"after_users\": %s, \"live_heap_after_users\": %s, \"memory_requests\": %s, \"memory_failed\": %s }\n}\n", rss_gw, rss_redis, users, rss_before, (rss_minute == "n/a" ? "null" : rss_minute), (rss_users == "n/a" ? "null" : rss_users), (live == "n/a" ? "null" : live), memory_sent + 0, (memory_failed == "n/a" ? "null" : memory_failed) >> js
  }' "$run/allocations.tsv" "$run/samples.tsv"
cat "$out/results.md"
