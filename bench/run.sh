#!/usr/bin/env bash
# The gateway's benchmark, as ratios to plain YARP measured in the same run (absolute numbers on two
# shared cores move; ratios hold). Servers run pinned to one core (BENCH_SERVER_CPU, default 0) and
# wrk to the other (BENCH_LOAD_CPU, default 1). Scenarios are interleaved, BENCH_ROUNDS rounds (3),
# each a BENCH_WARMUP warm-up (3s) then BENCH_DURATION (10s) of wrk with BENCH_CONNECTIONS (32):
#   direct      nginx itself (the one backend every scenario reaches)
#   yarp        plain YARP: same Yarp.ReverseProxy version, one route, no logging (bench/PlainYarp)
#   yarp-otel   the same with the gateway's OpenTelemetry setup, to price telemetry apart
#   anon        the gateway, an anonymous route, no token
#   none        the gateway, an Exchange None route: token validation and identity headers
#   hot         the gateway, a TokenExchange route with the credential cached (the hot path)
#   hot-redis   the same with Redis configured (L1 hit, Redis backplane connected)
#   cold        a new user's token on every request: one validation and one exchange at the local authority
# Each scenario first runs BENCH_INITIAL_WARMUP (15s) unrecorded, so tiered compilation has settled.
# then the memory scenario: 100,000 distinct users through the hot route of a fresh gateway, its
# resident memory before and after, against the bounds bench/gateway.json configures.
# Installs wrk, nginx and redis-server with apt-get where missing. Writes .local/bench/results.md and .json.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-10s}
warmup=${BENCH_WARMUP:-3s}
connections=${BENCH_CONNECTIONS:-32}
server_cpu=${BENCH_SERVER_CPU:-0}
load_cpu=${BENCH_LOAD_CPU:-1}
users=${BENCH_USERS:-100000}

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
gateway() {
  local name=$1 port=$2; shift 2
  start "$name" dotnet src/Gateway/$bin/WamsGateway.dll --contentRoot "$PWD/src/Gateway/$bin" \
    --urls "http://127.0.0.1:$port" --config "$PWD/bench/gateway.json" "$@"
}
kek=$(head -c 32 /dev/urandom | base64)
gateway gateway 5304
gateway gateway-redis 5305 --Gateway:Redis:Configuration=127.0.0.1:5320 --Gateway:Redis:KeyRingKey="$kek"
gateway gateway-memory 5306

wait_for http://127.0.0.1:5301/
wait_for http://127.0.0.1:5310/.well-known/openid-configuration
for port in 5302 5303; do wait_for "http://127.0.0.1:$port/"; done
for port in 5304 5305 5306; do wait_for "http://127.0.0.1:$port/healthz/ready"; done

tool=bench/BenchTool/$bin/BenchTool.dll
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local 1 "$run/hot.txt"
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local 100000 "$run/cold.txt"
dotnet "$tool" tokens "$run/signing-keys.json" http://127.0.0.1:5310/ https://orders.local "$users" "$run/users.txt"
hot=$(head -n 1 "$run/hot.txt")
for port in 5304 5305; do
  for path in none hot; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $hot" "http://127.0.0.1:$port/$path/")
    [ "$code" = 200 ] || { echo "warm-up of :$port/$path/ answered $code; logs in $run/logs" >&2; exit 1; }
  done
done

# name|url|bearer token ("" none, "cold" one per request)
scenarios=(
  "direct|http://127.0.0.1:5301/|"
  "yarp|http://127.0.0.1:5302/|"
  "yarp-otel|http://127.0.0.1:5303/|"
  "anon|http://127.0.0.1:5304/anon/|"
  "none|http://127.0.0.1:5304/none/|$hot"
  "hot|http://127.0.0.1:5304/hot/|$hot"
  "hot-redis|http://127.0.0.1:5305/hot/|$hot"
  "cold|http://127.0.0.1:5304/hot/|cold"
)

load() {
  local url=$1 token=$2 length=$3
  local args=(-t1 "-c$connections" "-d$length" --latency)
  if [ "$token" = cold ]; then
    BENCH_TOKENS="$PWD/$run/cold.txt" taskset -c "$load_cpu" wrk "${args[@]}" -s bench/tokens.lua "$url"
  elif [ -n "$token" ]; then
    taskset -c "$load_cpu" wrk "${args[@]}" -H "Authorization: Bearer $token" "$url"
  else
    taskset -c "$load_cpu" wrk "${args[@]}" "$url"
  fi
}

# wrk's text: requests/s, and the 50 % and 99 % latencies in ms.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { errors = $NF }
    END { printf "%s\t%.3f\t%.3f\t%s\n", rps, p50, p99, (errors == "" ? 0 : errors) }'
}

: >"$run/samples.tsv"
# Tiered compilation and PGO settle under load: every scenario runs once, unrecorded, first.
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name url token <<<"$scenario"
  load "$url" "$token" "${BENCH_INITIAL_WARMUP:-15s}" >/dev/null
done
for round in $(seq 1 "$rounds"); do
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name url token <<<"$scenario"
    load "$url" "$token" "$warmup" >/dev/null
    result=$(load "$url" "$token" "$duration" | parse)
    printf '%s\t%s\t%s\n' "$name" "$round" "$result" | tee -a "$run/samples.tsv"
  done
done

rss() { ps -o rss= -p "$1" | awk '{printf "%.0f", $1 / 1024}'; }
gateway_pid() { pgrep -f "WamsGateway.dll.*--urls http://127.0.0.1:$1" | head -n 1; }
declare -A rss_after
for port in 5304 5305; do rss_after[$port]=$(rss "$(gateway_pid $port)"); done

# Memory: distinct users through the hot route of a gateway that has served one request so far.
memory_pid=$(gateway_pid 5306)
curl -s -o /dev/null -H "Authorization: Bearer $hot" http://127.0.0.1:5306/hot/
rss_before=$(rss "$memory_pid")
taskset -c "$load_cpu" dotnet "$tool" drive http://127.0.0.1:5306/hot/ "$run/users.txt" "$connections" >"$run/memory.txt"
rss_users=$(rss "$memory_pid")

date=$(date -u +%Y-%m-%d)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
awk -F'\t' -v date="$date" -v cpu="$cpu" -v cores="$(nproc)" -v rounds="$rounds" -v duration="$duration" -v conns="$connections" \
    -v rss_gw="${rss_after[5304]}" -v rss_redis="${rss_after[5305]}" -v rss_before="$rss_before" -v rss_users="$rss_users" -v users="$users" \
    -v md="$out/results.md" -v js="$out/results.json" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { if (!($1 in seen)) { order[++count] = $1; seen[$1] = 1 }
    rps[$1] = rps[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5; errors[$1] += $6 }
  END {
    base = median(rps["yarp"]); base99 = median(p99["yarp"])
    printf "# Gateway benchmark, %s\n\n%s cores (%s); servers on one core, wrk on the other; %s interleaved rounds of %s, %s connections; medians.\n\n", date, cores, cpu, rounds, duration, conns > md
    printf "| scenario | requests/s | vs plain YARP | p50 ms | p99 ms | p99 - YARP p99 | non-2xx |\n|---|---|---|---|---|---|---|\n" >> md
    printf "{\n  \"date\": \"%s\", \"cores\": %s, \"cpu\": \"%s\", \"rounds\": %s, \"duration\": \"%s\", \"connections\": %s,\n  \"scenarios\": {\n", date, cores, cpu, rounds, duration, conns > js
    for (k = 1; k <= count; k++) {
      s = order[k]; r = median(rps[s]); a = median(p50[s]); b = median(p99[s])
      printf "| %s | %.0f | %.2f | %.2f | %.2f | %+.2f | %d |\n", s, r, r / base, a, b, b - base99, errors[s] >> md
      printf "    \"%s\": { \"rps\": %.0f, \"ratio\": %.3f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"non2xx\": %d }%s\n", s, r, r / base, a, b, errors[s], (k < count ? "," : "") >> js
    }
    printf "\nResident memory after the runs: gateway %s MiB, gateway with Redis %s MiB. %s distinct users through the hot route of a fresh gateway: %s MiB before, %s MiB after (bounds: Cache:MaxEntries 20,000, TokenCache:MaxEntries 10,000).\n", rss_gw, rss_redis, users, rss_before, rss_users >> md
    printf "  },\n  \"rss_mib\": { \"gateway\": %s, \"gateway_redis\": %s, \"users\": %s, \"before_users\": %s, \"after_users\": %s }\n}\n", rss_gw, rss_redis, users, rss_before, rss_users >> js
  }' "$run/samples.tsv"
cat "$out/results.md"
