#!/usr/bin/env bash
# Renders deploy/kubernetes (the base) and deploy/kubernetes/overlays/production, and checks both
# offline (check-manifests.mjs: schemas, then the fleet's properties). Needs kubectl and node; the
# npm packages install from package-lock.json on first use.
#   tests/Kubernetes/check-manifests.sh
set -euo pipefail

checks="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$checks/../.."
deploy="$PWD/deploy"

for tool in kubectl node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL $tool is not installed" >&2; exit 1; }
done
if [ ! -d "$checks/node_modules" ]; then
  (cd "$checks" && npm ci --silent)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0

if kubectl kustomize deploy/kubernetes >"$tmp/base.yaml" 2>"$tmp/base.err"; then
  echo "ok   base: kubectl kustomize deploy/kubernetes renders"
  node "$checks/check-manifests.mjs" --label base --sources deploy/kubernetes "$tmp/base.yaml" || status=1
else
  echo "FAIL base: kubectl kustomize deploy/kubernetes: $(cat "$tmp/base.err")"
  status=1
fi

if [ ! -f "$deploy/monitoring/kustomization.yaml" ]; then
  echo "skip overlays/production: deploy/monitoring/kustomization.yaml (the monitoring component it includes) does not exist yet"
elif kubectl kustomize deploy/kubernetes/overlays/production >"$tmp/production.yaml" 2>"$tmp/production.err"; then
  echo "ok   production: kubectl kustomize deploy/kubernetes/overlays/production renders"
  node "$checks/check-manifests.mjs" --overlay --label production --sources deploy/monitoring "$tmp/production.yaml" || status=1
else
  echo "FAIL production: kubectl kustomize deploy/kubernetes/overlays/production: $(cat "$tmp/production.err")"
  status=1
fi

exit "$status"
