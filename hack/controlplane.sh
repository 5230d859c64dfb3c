#!/usr/bin/env bash
# A local control plane (etcd + kube-apiserver) on loopback, for tests and `make run`.
#
#   hack/controlplane.sh start DIR            start both, wait for /readyz, write DIR/kubeconfig
#   hack/controlplane.sh stop DIR             stop what start recorded in DIR/*.pid (and wait for it)
#   hack/controlplane.sh stop-apiserver DIR   stop only kube-apiserver (tests of an API server outage)
#   hack/controlplane.sh start-apiserver DIR  start kube-apiserver again on the same port and data
#   hack/controlplane.sh check DIR            exit 1, printing the lines, when kube-apiserver's log shows a panic
#                                             or a fatal error (the log spans restarts: they append)
#   hack/controlplane.sh sweep /tmp           stop what test runs that are gone left behind (see below)
#
# DIR holds everything: data, certificates, logs, pids, the admin token and the kubeconfig. Nothing is
# started that is not recorded by pid in DIR, so `stop` never touches another run's processes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
dir=${dir%/}
[[ -n $cmd && -n $dir ]] || { echo "usage: $0 start|stop|stop-apiserver|start-apiserver|check DIR" >&2; exit 2; }

log() { echo "controlplane: $*" >&2; }

# What a sound kube-apiserver never logs: recovered panics, runtime faults, and the reflect2/mapiterinit
# crash of builds against the wrong reflect2.
FAULT_PATTERN='Observed a panic|http: panic serving|^panic: |fatal error: |unexpected fault address|reflect2|mapiterinit'


# Ports below the kernel's ephemeral range: an outgoing connection can take a port inside it at any moment
# (seen here: etcd failing with "bind: address already in use").
free_port() {
  local p low=32768
  [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  (( low > 11000 )) || low=32768
  for _ in $(seq 1 200); do
    p=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  log "no free port found"; return 1
}

stop_pid() {
  local f=$1 pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Processes started for DIR: those recorded by pid, and as a safety net any whose command line names DIR
# (etcd's --data-dir and kube-apiserver's --cert-dir both live in it).
stop_all() {
  stop_pid "$dir/apiserver.pid"
  stop_pid "$dir/etcd.pid"
  local pid
  for pid in $(pgrep -f -- "$dir/" || true); do
    [[ $pid == "$$" ]] && continue
    kill -9 "$pid" 2>/dev/null || true
  done
}

# Test runs name their folders agentlens-cp-<pid of the test process>-<id>. A folder whose test process
# is gone belongs to a run that was killed before it could clean up: stop its processes, remove it.
sweep() {
  local base=$1 pid owner d
  for pid in $(pgrep -f -- "$base/agentlens-cp-" || true); do
    owner=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -o "agentlens-cp-[0-9]*" | head -n 1 | cut -d- -f3)
    [[ -n $owner ]] && ! kill -0 "$owner" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  for d in "$base"/agentlens-cp-*; do
    [[ -d $d ]] || continue
    owner=$(basename "$d" | cut -d- -f3)
    kill -0 "$owner" 2>/dev/null || rm -rf "$d"
  done
}

wait_ready() {
  local port=$1 token=$2
  for _ in $(seq 1 600); do
    if [[ -f $dir/apiserver.pid ]] && ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
      log "kube-apiserver exited; last log lines:"; tail -n 20 "$dir/apiserver.log" >&2; return 1
    fi
    if curl -fsk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  log "kube-apiserver not ready after 60 s; last log lines:"; tail -n 20 "$dir/apiserver.log" >&2
  return 1
}

start_apiserver() {
  # shellcheck disable=SC1091
  source "$dir/env"
  setsid "$ASSETS/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" --insecure-port=0 \
    --cert-dir="$dir/certs" \
    --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-key-file="$dir/sa.pub" \
    --service-account-signing-key-file="$dir/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --api-audiences=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.0.0.0/16 \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --profiling=false \
    --requestheader-client-ca-file="$dir/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$dir/front-proxy-client.crt" \
    --proxy-client-key-file="$dir/front-proxy-client.key" \
    >>"$dir/apiserver.log" 2>&1 </dev/null &
  echo $! >"$dir/apiserver.pid"
  wait_ready "$API_PORT" "$TOKEN"
}

case $cmd in
  start)
    mkdir -p "$dir/certs" "$dir/etcd"
    dir=$(cd "$dir" && pwd)
    assets=$("$here/controlplane-assets.sh")
    command -v openssl >/dev/null || {
      SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
      $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssl >&2
    }
    command -v curl >/dev/null || { log "curl is required"; exit 1; }
    token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "$token,agentlens-admin,agentlens-admin-uid,system:masters" >"$dir/tokens.csv"
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
    # The aggregation layer: a front-proxy CA and the client certificate kube-apiserver presents to
    # extension API servers (the operator's AgentType API), as kubeadm sets it up.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=front-proxy-ca" \
      -keyout "$dir/front-proxy-ca.key" -out "$dir/front-proxy-ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=front-proxy-client" \
      -keyout "$dir/front-proxy-client.key" -out "$dir/front-proxy-client.csr" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >"$dir/front-proxy-client.ext"
    openssl x509 -req -in "$dir/front-proxy-client.csr" -CA "$dir/front-proxy-ca.crt" -CAkey "$dir/front-proxy-ca.key" \
      -CAcreateserial -days 3650 -extfile "$dir/front-proxy-client.ext" -out "$dir/front-proxy-client.crt" 2>/dev/null
    # A port taken between choosing and binding fails a start: choose again, up to three times.
    for attempt in 1 2 3; do
      etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
      cat >"$dir/env" <<ENV
ASSETS=$assets
ETCD_PORT=$etcd_port
API_PORT=$api_port
TOKEN=$token
ENV
      setsid "$assets/etcd" --data-dir "$dir/etcd" --name default \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "default=http://127.0.0.1:$peer_port" \
        >"$dir/etcd.log" 2>&1 </dev/null &
      echo $! >"$dir/etcd.pid"
      if start_apiserver; then break; fi
      stop_all
      rm -rf "$dir/etcd" && mkdir -p "$dir/etcd"
      if [[ $attempt == 3 ]]; then log "giving up after three attempts; etcd log:"; tail -n 5 "$dir/etcd.log" >&2; exit 1; fi
      log "start attempt $attempt failed; retrying on other ports"
    done
    cat >"$dir/kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: agentlens-local
  cluster:
    server: https://127.0.0.1:$api_port
    insecure-skip-tls-verify: true
users:
- name: agentlens-admin
  user:
    token: $token
contexts:
- name: agentlens-local
  context:
    cluster: agentlens-local
    user: agentlens-admin
    namespace: default
current-context: agentlens-local
KCFG
    echo "$dir/kubeconfig"
    ;;
  stop)
    stop_all
    ;;
  sweep)
    sweep "$dir"
    ;;
  stop-apiserver)
    stop_pid "$dir/apiserver.pid"
    ;;
  start-apiserver)
    start_apiserver
    ;;
  check)
    # A panic that kube-apiserver recovers from still fails requests (and the old reflect2 build faulted
    # outright): any of these lines in its log means the run was not on a sound control plane.
    hits=$(grep -nE "$FAULT_PATTERN" "$dir/apiserver.log" 2>/dev/null | head -n 20 || true)
    if [[ -n $hits ]]; then
      log "kube-apiserver's log ($dir/apiserver.log) shows a panic or a fatal error:"
      echo "$hits" >&2
      exit 1
    fi
    ;;
  *)
    echo "unknown command $cmd" >&2; exit 2 ;;
esac
