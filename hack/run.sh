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
  # start_agent runs in a command substitution (a subshell): its pids come back through a file.
  if [[ -f $dir/agents.pids ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$dir/agents.pids"
  fi
  "$root/hack/controlplane.sh" stop "$dir/cp" || true
  rm -rf "$dir"
  echo "run: local control plane stopped" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "run: no kubeconfig found; starting a local control plane (first time: builds kube-apiserver)" >&2
kubeconfig=$("$root/hack/controlplane.sh" start "$dir/cp")
assets=$("$root/hack/controlplane-assets.sh")

# Sample agents: a real A2A agent and a real MCP server on loopback, announced by annotated ExternalName
# Services in namespace "demo", as a platform team would announce theirs.
start_agent() {
  local script=$1 name=$2 out=$dir/$1.out
  (cd "$root/hack/agents" && exec node "$script" 0 "$name") >"$out" 2>&1 &
  echo $! >>"$dir/agents.pids"
  for _ in $(seq 1 100); do grep -q '^listening ' "$out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^listening //p' "$out"
}
a2a_port=$(start_agent a2a-agent.mjs "Weather Agent")
mcp_port=$(start_agent mcp-server.mjs "docs-mcp")
KUBECONFIG=$kubeconfig "$assets/kubectl" create namespace demo >/dev/null
# The registry's public view: anonymous IDEs see the MCP servers of namespaces with this label.
KUBECONFIG=$kubeconfig "$assets/kubectl" label namespace demo agentlens.io/registry=public >/dev/null
cat <<YAML | KUBECONFIG=$kubeconfig "$assets/kubectl" apply -f - >/dev/null
apiVersion: v1
kind: Service
metadata:
  name: weather-agent
  namespace: demo
  annotations: {agentlens.io/type: a2a, agentlens.io/port: "$a2a_port", agentlens.io/team: forecasting, agentlens.io/tags: "weather,demo"}
spec: {type: ExternalName, externalName: 127.0.0.1}
---
apiVersion: v1
kind: Service
metadata:
  name: docs-mcp
  namespace: demo
  annotations: {agentlens.io/type: mcp, agentlens.io/port: "$mcp_port", agentlens.io/team: platform, agentlens.io/tags: docs}
spec: {type: ExternalName, externalName: 127.0.0.1}
YAML

# The AgentType API: the aggregation layer routes agentlens.io/v1alpha1 to the operator's TLS port on
# loopback (an ExternalName Service is how kube-apiserver reaches a local process). The operator makes its
# own certificate here, so the APIService skips verifying it; the chart sets a CA bundle instead.
cat <<YAML | KUBECONFIG=$kubeconfig "$assets/kubectl" apply -f - >/dev/null
apiVersion: v1
kind: Service
metadata: {name: agentlens-apiserver, namespace: default}
spec: {type: ExternalName, externalName: 127.0.0.1, ports: [{name: https, port: 8443}]}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.agentlens.io}
spec:
  group: agentlens.io
  version: v1alpha1
  groupPriorityMinimum: 1000
  versionPriority: 15
  insecureSkipTLSVerify: true
  service: {name: agentlens-apiserver, namespace: default, port: 8443}
YAML

token=$(sed -n 's/ *token: //p' "$kubeconfig" | head -n 1)
cat >&2 <<MSG
run: local control plane up, with a sample A2A agent (:$a2a_port) and MCP server (:$mcp_port) in namespace demo.
run: look at the catalog in another terminal:
       export KUBECONFIG=$kubeconfig
       $assets/kubectl get agenttypes -A
       $assets/kubectl get agt -n demo -o wide -w
       $assets/kubectl get cm agentlens-status -o jsonpath='{.data.status\.json}'
run: or through the catalog API (and watch it at /api/v1/agents/watch):
       curl -s -H "Authorization: Bearer \$(sed -n 's/ *token: //p' $kubeconfig)" http://127.0.0.1:8082/api/v1/agents
run: or as an MCP server for your agents (docs/mcp.md): http://127.0.0.1:8082/mcp — list its tools:
       curl -s http://127.0.0.1:8082/mcp -H "Authorization: Bearer \$(sed -n 's/ *token: //p' $kubeconfig)" \\
         -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \\
         -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
run: the MCP Registry API v0.1 (the sample MCP server is listed there; demo is a public namespace):
       registry base URL: http://127.0.0.1:8444
       curl -s http://127.0.0.1:8444/v0.1/servers
       VS Code: "chat.mcp.gallery.serviceUrl": "http://127.0.0.1:8444" (docs/registry.md)
run: or search it by what the agents do (docs/search.md):
       curl -s -H "Authorization: Bearer \$(sed -n 's/ *token: //p' $kubeconfig)" 'http://127.0.0.1:8082/api/v1/search?q=tool:search_docs+OR+weather+alerts&limit=5'
run: the catalog page (docs/ui.md): open http://127.0.0.1:8082/ui/ and sign in with this token (the control plane's admin):
       $token
run: stop with Ctrl-C.
MSG

dotnet Operator/bin/Debug/net10.0/AgentLens.Operator.dll --kubeconfig "$kubeconfig" --leader-elect=false --store-namespace default \
  --poll-interval 30s --crawl-allow-cidrs 127.0.0.1/32 --metrics-bind-address 127.0.0.1:8080 --health-probe-bind-address 127.0.0.1:8081 \
  --api-bind-address 127.0.0.1:8082 --apiserver-bind-address 127.0.0.1:8443 \
  --registry-bind-address 127.0.0.1:8444 --registry-public-namespaces agentlens.io/registry=public --registry-public-namespaces-refresh 5s "$@" &
op_pid=$!
wait "$op_pid"
