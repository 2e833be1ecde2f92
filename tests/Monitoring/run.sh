#!/usr/bin/env bash
# Checks the monitoring kit in deploy/monitoring: the rule file (promtool check rules), its unit tests
# (promtool test rules), prometheusrule.yaml up to date with it, the rules' labels, annotations, runbook
# anchors and test coverage, and the dashboard (structure and PromQL). One ok/FAIL line per check;
# exits non-zero if any failed.
#
#   tests/Monitoring/run.sh [--names-out FILE]
#
# --names-out FILE: the metric names the dashboard and rules query, one per line (check-dashboard.mjs).
# Needs node and npm (installs this directory's locked dependencies, nothing global) and promtool
# (Debian/Ubuntu: apt-get install prometheus; scripts/test.sh installs it).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
monitoring="$root/deploy/monitoring"

names_out=()
while [ $# -gt 0 ]; do
  case "$1" in
    --names-out)
      [ $# -ge 2 ] || { echo "usage: $0 [--names-out FILE]" >&2; exit 2; }
      names_out=(--names-out "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")")
      shift 2
      ;;
    *)
      echo "usage: $0 [--names-out FILE]" >&2
      exit 2
      ;;
  esac
done

failed=0

# run NAME COMMAND...: runs the command, prints "ok NAME" and its last line, or "FAIL NAME" and its output.
run() {
  local name="$1"
  shift
  local out
  if out="$("$@" 2>&1)"; then
    echo "ok   $name${out:+: $(printf '%s\n' "$out" | grep -v '^\s*$' | tail -n 1 | sed 's/^ *//')}"
  else
    echo "FAIL $name"
    printf '%s\n' "$out" | sed 's/^/       /'
    failed=1
  fi
}

if command -v promtool > /dev/null 2>&1; then
  run "promtool check rules" promtool check rules "$monitoring/wamsgateway.rules.yml"
  # promtool resolves rule_files relative to each test file: run from deploy/monitoring as documented.
  run "promtool test rules" bash -c 'cd "$1" && promtool test rules tests/*.yml' _ "$monitoring"
else
  echo "FAIL promtool: not found (scripts/test.sh installs it; on Debian or Ubuntu: apt-get install prometheus)"
  failed=1
fi

if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
  echo "FAIL node/npm: not found; the generator and dashboard checks need Node.js 18 or later"
  exit 1
fi

if [ ! -d "$here/node_modules" ]; then
  if ! (cd "$here" && npm ci --silent --no-audit --no-fund > /dev/null); then
    echo "FAIL npm ci in tests/Monitoring"
    exit 1
  fi
fi

run "prometheusrule.yaml generated from wamsgateway.rules.yml" node "$here/generate-prometheusrule.mjs" --check
run "rules: labels, annotations, runbooks, tests" node "$here/check-rules.mjs"
run "dashboard" node "$here/check-dashboard.mjs" "${names_out[@]}"

exit "$failed"
