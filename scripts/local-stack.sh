#!/usr/bin/env bash
# Runs the local stack and walks through it:
#   local authority        http://127.0.0.1:5100/  (Auth0-compatible, demo users alice and bob)
#   second authority "eu"  http://127.0.0.1:5103/  (another tenant: its own keys; demo user erik)
#   eu's WAMS backend      http://127.0.0.1:5104/  (the eu tenant's todo table: its own master key and database)
#   WAMS sample backend    http://127.0.0.1:5101/  (the tutorial's todo table)
#   orders sample backend  http://127.0.0.1:5102/  (a second API; only requests with the gateway's signed assertion)
#   gateway                http://127.0.0.1:5000/  (deploy/local/gateway.json)
#   its management listener http://127.0.0.1:5009/  (health, metrics, and the dashboard at /dashboard/)
# Ctrl+C stops everything. With --check it walks through once and exits with the result
# (the test command uses that as a smoke test). --no-build skips the build. --fleet adds a
# redis-server on 127.0.0.1:5379 and a second gateway on http://127.0.0.1:5001/ (management 5010), both gateways
# sharing Redis as their second cache level. --serve starts the stack without the walkthrough
# (for scripts that drive it).
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
build=true
fleet=false
serve=false
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --no-build) build=false ;;
    --fleet) fleet=true ;;
    --serve) serve=true ;;
    *) echo "usage: $0 [--check] [--no-build] [--fleet] [--serve]" >&2; exit 64 ;;
  esac
done

state=.local
mkdir -p "$state/logs"
out=bin/Release/net10.0

if $build; then
  echo "Building (Release)..."
  dotnet build WamsGateway.sln -c Release -nologo -v quiet -clp:ErrorsOnly
fi

ports="5000 5009 5100 5101 5102 5103 5104"
if $fleet; then
  ports="$ports 5001 5010 5379"
  command -v redis-server >/dev/null || { echo "--fleet needs redis-server (apt-get install -y redis-server)." >&2; exit 1; }
fi
for port in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use; stop whatever listens there (an earlier local stack?) and try again." >&2
    exit 1
  fi
done

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start() {
  local name=$1; shift
  dotnet "$@" >"$state/logs/$name.log" 2>&1 &
  pids+=($!)
}

start authority src/LocalAuthority/$out/LocalAuthority.dll --contentRoot "$PWD/src/LocalAuthority/$out" \
  --urls http://127.0.0.1:5100 --LocalAuthority:KeyFile="$state/authority/signing-keys.json"
start authority-eu src/LocalAuthority/$out/LocalAuthority.dll --contentRoot "$PWD/src/LocalAuthority/$out" \
  --urls http://127.0.0.1:5103 --LocalAuthority:KeyFile="$state/authority-eu/signing-keys.json" \
  --LocalAuthority:Users:erik:Password=erik-password --LocalAuthority:Users:erik:Subject="auth0|erik" \
  --LocalAuthority:Users:erik:Email=erik@example.eu --LocalAuthority:Users:erik:Name=Erik \
  --LocalAuthority:Clients:wams-backend:WamsMasterKey=local-wams-eu-master-key
start wams-backend src/SampleBackend/$out/SampleBackend.dll --contentRoot "$PWD/src/SampleBackend/$out" \
  --urls http://127.0.0.1:5101 --SampleBackend:MasterKey=local-wams-master-key --SampleBackend:Database="$state/wams/todo.db" \
  --SampleBackend:AwsRootSecret=local-aws-root-secret
start wams-eu-backend src/SampleBackend/$out/SampleBackend.dll --contentRoot "$PWD/src/SampleBackend/$out" \
  --urls http://127.0.0.1:5104 --SampleBackend:MasterKey=local-wams-eu-master-key --SampleBackend:Database="$state/wams-eu/todo.db"
start orders-backend src/SampleBackend/$out/SampleBackend.dll --contentRoot "$PWD/src/SampleBackend/$out" \
  --urls http://127.0.0.1:5102 --SampleBackend:MasterKey=local-orders-master-key --SampleBackend:Database="$state/orders/todo.db" \
  --SampleBackend:GatewayAuthority=http://127.0.0.1:5000/ --SampleBackend:GatewayAudience=https://orders.internal
if $fleet; then
  mkdir -p "$state/redis"
  redis-server --port 5379 --bind 127.0.0.1 --save "" --appendonly no --dir "$state/redis" >"$state/logs/redis.log" 2>&1 &
  pids+=($!)
  # The per-user limit counted in Redis: the two gateways together allow it once.
  redis=(--Gateway:Redis:Configuration=127.0.0.1:5379 --Gateway:RateLimits:per-user:Scope=Fleet)
  # The key that encrypts the Data Protection key ring in Redis: made once, kept beside the stack's
  # state, handed to both gateways through the environment (never on a command line, never in Redis).
  [ -s "$state/keyring-key" ] || (umask 077 && head -c 32 /dev/urandom | base64 >"$state/keyring-key")
  Gateway__Redis__KeyRingKey="$(cat "$state/keyring-key")"
  export Gateway__Redis__KeyRingKey
  start gateway-2 src/Gateway/$out/WamsGateway.dll --contentRoot "$PWD/src/Gateway/$out" \
    --urls http://127.0.0.1:5001 --Gateway:Management:Urls=http://127.0.0.1:5010 --config deploy/local/gateway.json "${redis[@]}"
else
  redis=()
fi
start gateway src/Gateway/$out/WamsGateway.dll --contentRoot "$PWD/src/Gateway/$out" \
  --urls http://127.0.0.1:5000 --Gateway:Management:Urls=http://127.0.0.1:5009 --config deploy/local/gateway.json "${redis[@]}"

echo "Waiting for the gateway to be ready (logs in $state/logs/)..."
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null http://127.0.0.1:5009/healthz/ready 2>/dev/null; then ready=true; break; fi
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A process of the stack exited early; its log:" >&2
      tail -n 30 "$state"/logs/*.log >&2
      exit 1
    fi
  done
  sleep 0.5
done
if [ "${ready:-false}" != true ]; then
  echo "The gateway did not become ready in 60 s; see $state/logs/." >&2
  exit 1
fi

if $serve; then
  echo "The stack is ready."
  wait
  exit 0
fi

walkthrough=(--gateway http://127.0.0.1:5000/ --authority http://127.0.0.1:5100/ --eu-authority http://127.0.0.1:5103/)
if $fleet; then
  until curl -fsS -o /dev/null http://127.0.0.1:5010/healthz/ready 2>/dev/null; do sleep 0.5; done
  walkthrough+=(--second-gateway http://127.0.0.1:5001/)
fi
result=0
dotnet src/Walkthrough/$out/Walkthrough.dll "${walkthrough[@]}" || result=$?

if $check; then
  exit $result
fi

cat <<TEXT

The stack is running; try it yourself:
  id_token=\$(curl -s http://127.0.0.1:5100/oauth/token -d grant_type=password -d client_id=todo-mobile \\
      -d username=alice -d password=alice-password -d scope=openid -d audience=https://orders.local | jq -r .id_token)
  curl -s http://127.0.0.1:5000/wams/tables/todoitem -H "Authorization: Bearer \$id_token" | jq
  curl -s http://127.0.0.1:5000/wams/api/whoami -H "Authorization: Bearer \$id_token" | jq .credential.claims
The gateway's dashboard: http://127.0.0.1:5009/dashboard/ (health and metrics beside it: /healthz/ready, /metrics).
Logs: $state/logs/. Press Ctrl+C to stop.
TEXT
wait
