#!/usr/bin/env bash
# `make run`: the operator out-of-cluster. With a usable kubeconfig it runs against that cluster; without
# one it starts the local control plane (hack/controlplane.sh) and runs against it, and stops everything
# it started on exit or Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

has_cluster() {
  local cfg=${KUBECONFIG:-$HOME/.kube/config}
  [[ -f ${cfg%%:*} ]] && grep -q 'current-context: *[^ "]' "${cfg%%:*}"
}

dotnet build Operator/Operator.csproj -c Debug -v q -nologo >&2

if has_cluster; then
  echo "run: using the cluster of ${KUBECONFIG:-$HOME/.kube/config}" >&2
  exec dotnet Operator/bin/Debug/net10.0/AgentLens.Operator.dll "$@"
fi

dir=$(mktemp -d /tmp/agentlens-run-XXXXXX)
cleanup() {
  trap - EXIT INT TERM
  [[ -n ${op_pid:-} ]] && kill "$op_pid" 2>/dev/null && wait "$op_pid" 2>/dev/null
  "$root/hack/controlplane.sh" stop "$dir/cp" || true
  rm -rf "$dir"
  echo "run: local control plane stopped" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "run: no kubeconfig found; starting a local control plane (first time: builds kube-apiserver)" >&2
kubeconfig=$("$root/hack/controlplane.sh" start "$dir/cp")
echo "run: local control plane up; try: KUBECONFIG=$kubeconfig kubectl get cm -A -l agentlens.io/catalog=entry" >&2

dotnet Operator/bin/Debug/net10.0/AgentLens.Operator.dll --kubeconfig "$kubeconfig" --leader-elect=false "$@" &
op_pid=$!
wait "$op_pid"
