#!/usr/bin/env bash
# Blue/green switch of one Tradeflow component installed with the Helm chart (components.<name>.blueGreen.enabled):
#   1. optionally deploys an image tag to the target colour (--tag), which takes no traffic yet;
#   2. scales the target colour to the active colour's size and waits until it is rolled out and ready;
#   3. switches the Service: helm upgrade --reuse-values --set components.<name>.blueGreen.active=<colour>;
#   4. checks the switch: the Service selects the colour and has ready endpoints (and, with --test, `helm test`);
#   5. when 2 fails nothing is switched; when 4 fails it switches back to the previous colour and exits 1.
# usage: scripts/ship/bluegreen.sh [options] RELEASE COMPONENT blue|green
#        scripts/ship/bluegreen.sh [options] --rollback RELEASE COMPONENT     back to the idle (previous) colour
# options: -n|--namespace NS   --chart PATH (default charts/tradeflow)   --timeout SECONDS (default 300)
#          --tag TAG (image tag for the target colour)   --test (run `helm test` after the switch)
# HELM and KUBECTL name the binaries (default: helm and kubectl on PATH; helm falls back to scripts/ship/helm.sh).
set -euo pipefail
LOG_TAG=bluegreen
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

namespace='' chart="$ROOT/charts/tradeflow" timeout=300 tag='' run_test=0 rollback=0
args=()
while (($# > 0)); do
  case $1 in
    -n | --namespace) namespace=${2:?}; shift 2 ;;
    --chart) chart=${2:?}; shift 2 ;;
    --timeout) timeout=${2:?}; shift 2 ;;
    --tag) tag=${2:?}; shift 2 ;;
    --test) run_test=1; shift ;;
    --rollback) rollback=1; shift ;;
    -h | --help) usage ;;
    -*) say "unknown option $1"; usage ;;
    *) args+=("$1"); shift ;;
  esac
done
if ((rollback)); then
  ((${#args[@]} == 2)) || usage
else
  ((${#args[@]} == 3)) || usage
fi
release=${args[0]} component=${args[1]}
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout takes seconds, not '$timeout'"

HELM=${HELM:-}
if [[ -z $HELM ]]; then
  if command -v helm >/dev/null 2>&1; then HELM=helm; else HELM=$("$ROOT/scripts/ship/helm.sh"); fi
fi
KUBECTL=${KUBECTL:-kubectl}
ns_args=()
[[ -n $namespace ]] && ns_args=(--namespace "$namespace")

kube() { "$KUBECTL" ${ns_args[@]+"${ns_args[@]}"} "$@"; }
helm_() { "$HELM" ${ns_args[@]+"${ns_args[@]}"} "$@"; }

selector="app.kubernetes.io/instance=$release,app.kubernetes.io/component=$component"

# The component's main Service (the coloured ones carry a colour label) and the colour it serves.
service=$(kube get service -l "$selector,!tradeflow.io/colour" -o name 2>/dev/null | head -n1) || true
[[ -n $service ]] || die "no Service for component '$component' of release '$release'${namespace:+ in namespace $namespace}"
active=$(kube get "$service" -o 'jsonpath={.metadata.annotations.tradeflow\.io/active-colour}')
[[ -n $active ]] ||
  die "$component is not blue/green; enable it first: helm upgrade $release $chart --reuse-values --set components.$component.blueGreen.enabled=true"

if ((rollback)); then
  target=$([[ $active == blue ]] && echo green || echo blue)
  say "rollback: $component goes back from $active to $target"
else
  target=${args[2]}
fi
[[ $target == blue || $target == green ]] || die "the colour is blue or green, not '$target'"
previous=$active

deployment_of() { kube get deployment -l "$selector,tradeflow.io/colour=$1" -o name | head -n1; }

# Sets the active colour (and any extra --set) with the release's current values.
switch_to() {
  local colour=$1
  shift
  helm_ upgrade "$release" "$chart" --reuse-values --set "components.$component.blueGreen.active=$colour" "$@" >&2
}

# True when the Service selects $1 and has at least one ready endpoint; polls until the deadline.
serving() {
  local colour=$1 deadline=$((SECONDS + timeout)) selected ready
  local name=${service#*/}
  while :; do
    selected=$(kube get "$service" -o 'jsonpath={.spec.selector.tradeflow\.io/colour}' 2>/dev/null || true)
    ready=$(kube get endpointslices -l "kubernetes.io/service-name=$name" \
      -o 'jsonpath={range .items[*].endpoints[*]}{.conditions.ready}{"\n"}{end}' 2>/dev/null | grep -c '^true$' || true)
    if [[ $selected == "$colour" ]] && ((ready > 0)); then
      say "$name selects $colour with $ready ready endpoint(s)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      say "$name selects '${selected:-?}' with ${ready:-0} ready endpoint(s) after ${timeout}s; expected $colour"
      return 1
    fi
    sleep 2
  done
}

if [[ $target == "$active" && -z $tag ]]; then
  say "$component already serves $target; nothing to do"
  exit 0
fi

# 1. The new image goes to the colour that takes no traffic.
if [[ -n $tag ]]; then
  [[ $target != "$active" ]] || die "--tag would change the colour that serves traffic ($active); deploy to the idle colour"
  say "deploying $component:$tag to the $target colour (no traffic yet)"
  helm_ upgrade "$release" "$chart" --reuse-values --set-string "components.$component.blueGreen.$target.tag=$tag" >&2
fi

# 2. The target colour at full size and ready before any traffic moves.
active_deployment=$(deployment_of "$active")
target_deployment=$(deployment_of "$target")
[[ -n $target_deployment ]] || die "no $target Deployment for $component (is blue/green enabled in this release?)"
replicas=$(kube get "$active_deployment" -o 'jsonpath={.spec.replicas}')
[[ $replicas =~ ^[0-9]+$ ]] && ((replicas > 0)) || replicas=1
say "scaling ${target_deployment#*/} to $replicas and waiting for it (up to ${timeout}s)"
kube scale "$target_deployment" --replicas="$replicas" >&2
if ! kube rollout status "$target_deployment" --timeout="${timeout}s" >&2; then
  die "${target_deployment#*/} did not become ready; traffic stays on $active (nothing switched)"
fi

# 3. and 4. Switch, check, and switch back on failure.
say "switching $component from $previous to $target"
switch_to "$target"
ok=1
serving "$target" || ok=0
if ((ok && run_test)); then
  say "running helm test $release"
  helm_ test "$release" --logs >&2 || ok=0
fi
if ((ok)); then
  say "$component now serves $target; $previous stays at its idle size (\`$0${namespace:+ -n $namespace} --rollback $release $component\` switches back)"
  exit 0
fi

say "the switch to $target failed its checks; switching $component back to $previous"
switch_to "$previous"
serving "$previous" || die "switched back to $previous, but it does not serve either; check \`kubectl get pods -l $selector\`"
die "rolled back: $component serves $previous again; $target was not healthy"
