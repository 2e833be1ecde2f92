#!/usr/bin/env bash
# Measures the gateway on this machine: requests per second and latency through each kind of
# route (credential cached), against the sample backend called directly, and the gateway's memory.
# Loopback only, bounded in time (about two minutes). Needs wrk (apt-get install -y wrk).
# Writes .local/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10s}
warmup=${BENCH_WARMUP:-5s}
connections=${BENCH_CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "bench.sh needs wrk: apt-get install -y wrk" >&2; exit 1; }
out=.local/bench
mkdir -p "$out"

./scripts/local-stack.sh --serve >"$out/stack.log" 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null; wait $stack 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  grep -q "The stack is ready" "$out/stack.log" && break
  kill -0 $stack 2>/dev/null || { cat "$out/stack.log"; exit 1; }
  sleep 0.5
done

token() {
  curl -s http://127.0.0.1:5100/oauth/token -d grant_type=password -d client_id=todo-mobile -d username=alice \
    -d password=alice-password -d audience=https://orders.local -d "scope=openid read:orders" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
id_token=$(token id_token)
access_token=$(token access_token)
gateway_pid=$(pgrep -f "WamsGateway.dll --contentRoot" | head -n 1)

{
  echo "# Gateway benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores shared by wrk, the gateway and the backend; wrk -t2 -c$connections -d$duration after a $warmup warm-up;"
  echo "loopback, Release build, in-process cache, default logging (Information)."

  echo
  echo "| route | what the gateway does | requests/s | p50 | p99 |"
  echo "|---|---|---|---|---|"
} >"$out/results.md"

run() {
  local name=$1 what=$2 url=$3 token=$4
  # The credential is cached since the warm-up; this call only makes sure.
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"
  local result
  result=$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $token" "$url")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$result")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$result")
  echo "| $name | $what | $rps | $p50 | $p99 |" >>"$out/results.md"
  echo "$name: $rps req/s, p50 $p50, p99 $p99"
}

# One warm-up pass over every route before any measurement: the gateway's shared code
# (validation, proxying) is then fully tiered up for all of them.
for url in http://127.0.0.1:5101/api/whoami http://127.0.0.1:5000/orders/api/whoami http://127.0.0.1:5000/reports-echo; do
  wrk -t2 -c"$connections" -d"$warmup" -H "Authorization: Bearer $access_token" "$url" >/dev/null
done
wrk -t2 -c"$connections" -d"$warmup" -H "Authorization: Bearer $id_token" http://127.0.0.1:5000/wams/api/whoami >/dev/null

run "backend direct" "(no gateway: the baseline)" "http://127.0.0.1:5101/api/whoami" "$access_token"
run "/orders/api/whoami" "RS256 validation, policy, TokenExchange (cached), identity headers" "http://127.0.0.1:5000/orders/api/whoami" "$access_token"
run "/wams/api/whoami" "RS256 validation, Auth0Delegation (cached), X-ZUMO-AUTH" "http://127.0.0.1:5000/wams/api/whoami" "$id_token"
run "/reports-echo" "RS256 validation, AwsSts (cached), SigV4 signing" "http://127.0.0.1:5000/reports-echo" "$access_token"

rss=$(awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$gateway_pid/status")
{
  echo
  echo "Gateway memory after the runs: resident $((rss / 1024)) MiB, peak $((hwm / 1024)) MiB."
} >>"$out/results.md"
echo
cat "$out/results.md"
