#!/usr/bin/env bash
# Where one route's time and memory go, in a running gateway (bench/run.sh's servers, the local stack's, or
# any on this machine). Loads the URL with wrk for BENCH_PROFILE_SECONDS (20) on BENCH_LOAD_CPU (1) and
# meanwhile, from the process that listens on the URL's port:
#   - dotnet-counters: requests' share of allocations and GC (bytes per request, gen0/1/2 collections);
#   - dotnet-trace, EventPipe CPU sampling: the top methods by exclusive and inclusive time
#     (thread time: waiting threads count too, so read the managed frames near the top);
#   - dotnet-trace --profile gc-verbose: allocation ticks with types and stacks, to open in PerfView or
#     Visual Studio (not summarised here);
#   - perf, when installed and the gateway started with DOTNET_PerfMapEnabled=1 and
#     DOTNET_EnableWriteXorExecute=0 (so perf can name jitted code): on-CPU time per module and per
#     method, kernel included (how docs/performance.md's "Where the time goes" was measured).
# Usage: bench/profile.sh <url> [bearer-token]. Writes .local/profile/<port>-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?usage: bench/profile.sh <url> [bearer-token]}
token=${2:-}
seconds=${BENCH_PROFILE_SECONDS:-20}
load_cpu=${BENCH_LOAD_CPU:-1}
port=$(echo "$url" | sed -E 's#^[a-z]+://[^/:]+:([0-9]+).*#\1#')
pid=$(ss -ltnpH "sport = :$port" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1)
[ -n "$pid" ] || { echo "nothing listens on port $port" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)" >&2; exit 1; }

tools=.local/tools
for tool in dotnet-counters dotnet-trace; do
  [ -x "$tools/$tool" ] || dotnet tool install --tool-path "$tools" "$tool" >/dev/null
done
out=.local/profile/$port-$(date -u +%H%M%S)
mkdir -p "$out"
load() {
  local args=(-t1 -c32 "-d$1" --latency)
  if [ -n "$token" ]; then args+=(-H "Authorization: Bearer $token"); fi
  taskset -c "$load_cpu" wrk "${args[@]}" "$url"
}
sample=$((seconds / 2))

echo "warming up $url (pid $pid)..."
load 10s >/dev/null
load "${seconds}s" >"$out/wrk-counters.txt" &
sleep 2
"$tools/dotnet-counters" collect -p "$pid" --counters System.Runtime --format csv -o "$out/counters.csv" \
  --duration "00:00:00:$sample" --refresh-interval 1 >/dev/null
wait
rps=$(awk '/Requests\/sec:/ { print $2 }' "$out/wrk-counters.txt")
awk -F, -v rps="$rps" '
  /total_allocated/ { allocated += $5; n++ }
  /gc.collections/ && /gen0/ { gen0 += $5 } /gc.collections/ && /gen1/ { gen1 += $5 } /gc.collections/ && /gen2/ { gen2 += $5 }
  END { printf "requests/s %s; allocated %.0f B/request; collections per second: gen0 %.1f, gen1 %.1f, gen2 %.1f\n", rps, allocated / n / rps, gen0 / n, gen1 / n, gen2 / n }' \
  "$out/counters.csv" | tee "$out/summary.txt"

load "${seconds}s" >/dev/null &
sleep 2
"$tools/dotnet-trace" collect -p "$pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$sample" -o "$out/cpu.nettrace" >/dev/null
wait
{ "$tools/dotnet-trace" report "$out/cpu.nettrace" topN -n 25; "$tools/dotnet-trace" report "$out/cpu.nettrace" topN -n 40 --inclusive; } \
  >"$out/cpu-top.txt" 2>&1 || true

load "${seconds}s" >/dev/null &
sleep 2
"$tools/dotnet-trace" collect -p "$pid" --profile gc-verbose --duration "00:00:00:$sample" -o "$out/allocations.nettrace" >/dev/null
wait

if command -v perf >/dev/null && [ -f "/tmp/perf-$pid.map" ]; then
  load "${seconds}s" >"$out/wrk-perf.txt" &
  sleep 2
  perf record -F 999 -g -p "$pid" -o "$out/perf.data" -- sleep "$sample" >/dev/null 2>&1
  wait
  requests=$(awk -v s="$sample" '/Requests\/sec:/ { printf "%.0f", $2 * s }' "$out/wrk-perf.txt")
  perf report -i "$out/perf.data" --no-children --sort dso -q -g none -n 2>/dev/null |
    awk -v r="$requests" '{ printf "%8.2f µs/request  %s\n", $2 / r * 1e6 / 999, $3 }' | head -15 >"$out/perf-modules.txt"
  perf report -i "$out/perf.data" --no-children --sort sym -q -g none 2>/dev/null | head -60 >"$out/perf-methods.txt"
  echo "on-CPU time per module:"; cat "$out/perf-modules.txt"
else
  echo "(perf: not installed, or the gateway was not started with DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; skipped)"
fi
echo "written to $out: summary.txt, cpu-top.txt, cpu.nettrace, allocations.nettrace${requests:+, perf-modules.txt, perf-methods.txt}"
