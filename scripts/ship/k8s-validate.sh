#!/usr/bin/env bash
# Validates Kubernetes manifests offline against the API schemas of every version in KUBERNETES_VERSIONS
# (versions.env), with PyPI's kubernetes-validate --strict (unknown fields are errors). The tool ships the
# schemas, so nothing is fetched after its one-time install into a venv under .cache. A resource whose kind
# has no schema (the tool only warns) fails here too, so a typo in a kind or apiVersion cannot slip through.
# usage: scripts/ship/k8s-validate.sh FILE...      validate multi-document YAML files; exit 1 on any problem
#        scripts/ship/k8s-validate.sh --path       install once, print the path of kubernetes-validate
set -euo pipefail
LOG_TAG=ship
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

VENV="$CACHE_DIR/venv/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
TOOL="$VENV/bin/kubernetes-validate"

# A marker written after a complete install, so an interrupted one is redone rather than half-used.
install_tool() {
  [[ -f $VENV/.installed ]] && return 0
  require_cmd python3 "Python 3.9+ with venv runs kubernetes-validate"
  take_lock kubernetes-validate
  [[ -f $VENV/.installed ]] && return 0
  say "kubernetes-validate: installing $KUBERNETES_VALIDATE_VERSION into ${VENV#"$ROOT/"} (first run only)"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2 ||
    die "pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION failed"
  [[ -x $TOOL ]] || die "kubernetes-validate is not at $TOOL after the install"
  touch "$VENV/.installed"
}

install_tool
if [[ ${1:-} == --path ]]; then
  echo "$TOOL"
  exit 0
fi
(($# > 0)) || die "usage: $0 FILE... | --path"

# One run per version, in parallel: each loads the schemas once per resource, which is most of the time.
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
for version in $KUBERNETES_VERSIONS; do
  (
    rc=0
    "$TOOL" --strict --quiet -k "$version" "$@" >"$results/$version.out" 2>&1 || rc=$?
    echo "$rc" >"$results/$version.rc"
  ) &
done
wait

status=0
for version in $KUBERNETES_VERSIONS; do
  out=$(<"$results/$version.out")
  failed=0
  [[ $(<"$results/$version.rc") == 0 ]] || failed=1
  # With --quiet only failures and warnings print; a kind without a schema is only a warning there.
  grep -q '^WARN' <<<"$out" && failed=1
  [[ -n $out ]] && printf '%s\n' "$out" | sed "s/^/[k8s $version] /" >&2
  if ((failed)); then
    status=1
  else
    say "kubernetes-validate: $# file(s) valid against Kubernetes $version (strict)"
  fi
done
exit "$status"
