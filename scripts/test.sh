#!/usr/bin/env bash
# Runs every test: the xunit suites (unit and functional, over loopback sockets, with real
# redis-server instances), a smoke run of the local stack, the monitoring kit (promtool) and the
# Kubernetes manifests (rendered and validated offline). Installs what the tests need (redis-server
# through apt-get; promtool unpacked from Debian's prometheus package; npm packages from the lock
# files). Ends with one line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# The cache tests run a real redis-server on a free loopback port.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Installing redis-server (the shared-cache tests start their own)..."
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null
  else
    (sudo apt-get update -qq && sudo apt-get install -y -qq redis-server) >/dev/null
  fi
  # Debian starts a system-wide instance on 6379; the tests do not need it.
  (service redis-server stop || true) >/dev/null 2>&1
fi

# unzip reads what dotnet pack wrote.
if ! command -v unzip >/dev/null 2>&1; then
  echo "Installing unzip (the package check reads the .nupkg files)..."
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && apt-get install -y -qq unzip) >/dev/null
  else
    (sudo apt-get update -qq && sudo apt-get install -y -qq unzip) >/dev/null
  fi
fi

# Debian's Chromium and chromedriver for the dashboard's browser test (Selenium drives them; nothing is downloaded by the test).
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/bin/chromedriver ]; then
  echo "Installing chromium and chromium-driver (the dashboard's browser test)..."
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null
  else
    (sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver) >/dev/null
  fi
fi

# promtool for the alert rules' unit tests: unpacked from Debian's prometheus package into .local/tools,
# so no Prometheus server is installed or started.
tools=$PWD/.local/tools
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$tools/usr/bin/promtool" ]; then
  echo "Unpacking promtool (Debian's prometheus package) into .local/tools..."
  mkdir -p "$tools"
  (
    cd "$tools" &&
    { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; } &&
    dpkg -x prometheus_*.deb . && rm -f prometheus_*.deb
  ) || echo "Could not unpack promtool; the monitoring kit's check will say so."
fi
export PATH="$PATH:$tools/usr/bin"

results=.local/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build WamsGateway.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test WamsGateway.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" \
  --blame-hang-timeout 5m
test_status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $test_status but reported no failed test (a crashed test host?)."
  failed=$((failed + 1))
fi

# One more test each: a command that passes or fails, its output kept for when it fails.
check() {
  local name=$1 log=$2
  shift 2
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "$name: passed"
  else
    failed=$((failed + 1))
    echo "$name: FAILED; its output:"
    cat "$log"
  fi
}

echo
check "local stack smoke test (scripts/local-stack.sh --check)" "$results/local-stack.log" ./scripts/local-stack.sh --check --no-build
check "dotnet pack writes WamsGateway.Yarp (no exporter among its dependencies) and WamsGateway.Yarp.Hosting, README and XML docs inside each" "$results/pack.log" bash -c '
  rm -rf artifacts/packages &&
  dotnet pack src/WamsGateway.Yarp -c Release --no-build -nologo -v quiet &&
  dotnet pack src/WamsGateway.Yarp.Hosting -c Release --no-build -nologo -v quiet &&
  for id in WamsGateway.Yarp WamsGateway.Yarp.Hosting; do
    package=$(ls artifacts/packages/$id.[0-9]*.nupkg) &&
    unzip -l "$package" | grep -q " README.md$" && unzip -l "$package" | grep -q "lib/net10.0/$id.xml$" && echo "$package" || exit 1
  done &&
  core=$(ls artifacts/packages/WamsGateway.Yarp.[0-9]*.nupkg) &&
  unzip -p "$core" WamsGateway.Yarp.nuspec > artifacts/packages/core.nuspec &&
  grep -q "id=\"Yarp.ReverseProxy\"" artifacts/packages/core.nuspec &&
  if grep -i "OpenTelemetry" artifacts/packages/core.nuspec; then echo "WamsGateway.Yarp depends on OpenTelemetry"; exit 1; fi &&
  hosting=$(ls artifacts/packages/WamsGateway.Yarp.Hosting.[0-9]*.nupkg) &&
  unzip -p "$hosting" WamsGateway.Yarp.Hosting.nuspec | grep -q "id=\"WamsGateway.Yarp\""'
check "monitoring kit (tests/Monitoring/run.sh: promtool check and unit tests of the alert rules, PrometheusRule generated from them, the dashboard's structure and PromQL)" \
  "$results/monitoring.log" tests/Monitoring/run.sh
if command -v kubectl >/dev/null 2>&1; then
  check "Kubernetes manifests (tests/Kubernetes/check-manifests.sh: base and production overlay rendered, every object against its schema, the fleet's properties)" \
    "$results/kubernetes.log" tests/Kubernetes/check-manifests.sh
else
  echo "Kubernetes manifests: not checked (kubectl, which renders them with its kustomize, is not installed); not counted."
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
