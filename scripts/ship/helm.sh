#!/usr/bin/env bash
# Prints the path of Helm $HELM_VERSION (versions.env), building it once from the Go module proxy:
#   GOBIN=.cache/bin go install helm.sh/helm/v3/cmd/helm@v$HELM_VERSION
# with the module and build caches under .cache/go, so nothing lands outside the repository. The linker
# flags are the ones Helm's own Makefile sets: the version `helm version` prints and the Kubernetes version
# `helm template` and `helm lint` assume (from the k8s.io/client-go it is built with). A binary of another
# version is rebuilt. Safe to run twice and concurrently (a lock serialises the first build).
# usage: scripts/ship/helm.sh            prints the absolute path of the helm binary on stdout
set -euo pipefail
LOG_TAG=ship
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

BIN_DIR="$CACHE_DIR/bin"
HELM="$BIN_DIR/helm"
# What the binary was built as; a change here (or in versions.env) rebuilds it.
STAMP="$BIN_DIR/.helm-build"
BUILD="helm v$HELM_VERSION, ldflags 2"

built() { [[ -x $HELM && -f $STAMP && $(<"$STAMP") == "$BUILD" ]]; }

if ! built; then
  require_cmd go "Go 1.24+ builds Helm from the Go module proxy (https://go.dev/dl/)"
  take_lock helm
  # Another run may have built it while this one waited for the lock.
  if ! built; then
    say "helm: building v$HELM_VERSION from the Go module proxy into .cache/bin (first run only; a few minutes)"
    t0=$SECONDS
    mkdir -p "$BIN_DIR" "$CACHE_DIR/go"
    export GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build" GOFLAGS=-modcacherw
    module="helm.sh/helm/v3@v$HELM_VERSION"
    gomod=$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
    [[ -f $gomod ]] || die "helm: go mod download $module printed no go.mod"
    # k8s.io/client-go v0.37.x is Kubernetes 1.37: Helm's Makefile turns that into the default KubeVersion.
    client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
    [[ $client_go =~ ^v0\.([0-9]+)\. ]] || die "helm: no k8s.io/client-go version in $gomod"
    k8s_minor=${BASH_REMATCH[1]}
    ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
    for pkg in pkg/lint/rules pkg/chartutil; do
      ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
    done
    GOBIN="$BIN_DIR" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2 ||
      die "helm: go install helm.sh/helm/v3/cmd/helm@v$HELM_VERSION failed"
    version=$("$HELM" version --template '{{ .Version }}' 2>/dev/null || true)
    [[ $version == "v$HELM_VERSION" ]] || die "helm: the built binary reports '$version', expected v$HELM_VERSION"
    echo "$BUILD" >"$STAMP"
    say "helm: built v$HELM_VERSION (default Kubernetes 1.$k8s_minor) in $((SECONDS - t0))s"
  fi
fi
echo "$HELM"
