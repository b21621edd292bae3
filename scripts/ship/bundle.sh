#!/usr/bin/env bash
# Builds the production bundle of one image: what the Dockerfile's build stage runs, and what
# tests/ship/bundle.test.ts runs in a copy of the build context to prove the image's entrypoint works.
#   scripts/ship/bundle.sh <service> <outdir>
# <service> is a package under services/ (trades, gateway, ...) or `init`, the one-shot setup job of
# docker compose (the reference-data seed CLI, the gateway's demo-consumer CLI and scripts/compose/init).
#
# Steps: `npm ci` (all dependencies, install scripts off; skipped when node_modules already matches the
# lockfile, which never happens in a fresh build stage), `tsc -b` for the service and its references, then
# the production closure of its workspace (`npm ls --omit=dev`: exactly the packages `npm ci --omit=dev
# --workspace <service>` installs, at the same paths) copied into <outdir> without what never runs (source
# maps, type declarations and packages, TypeScript sources, docs), with the workspaces' compiled JavaScript,
# package.json, openapi.yaml and routes.yaml. <outdir> is replaced. Layout: <outdir>/{package.json,node_modules,services/<name>/...}.
set -euo pipefail
LOG_TAG=ship
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

[[ $# -eq 2 ]] || die "usage: scripts/ship/bundle.sh <service> <outdir>"
service=$1
out=$2
[[ $out == /* ]] || out="$PWD/$out"
cd "$ROOT"

case $service in
  init) workspaces=(reference-data gateway) ;;
  *)
    [[ $service =~ ^[a-z][a-z0-9-]*$ && -f services/$service/package.json ]] ||
      die "no service '$service' (expected a folder under services/ or 'init')"
    [[ $service != platform && $service != contracts ]] || die "'$service' is a library, not a service"
    workspaces=("$service")
    ;;
esac
t0=$SECONDS

# 1. Every dependency, as `make install` does. Install scripts stay off: no production dependency needs one,
#    and npm 10 and 11 treat them differently (11 asks for approval in package.json `allowScripts`).
if [[ ! node_modules/.package-lock.json -nt package-lock.json ]]; then
  say "bundle $service: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# 2. Compile the workspaces and their project references.
say "bundle $service: tsc -b ${workspaces[*]/#/services/}"
npx --no-install tsc -b "${workspaces[@]/#/services/}"

# 3. The production closure: one path a line, relative to the root (node_modules/x, services/a/node_modules/y).
flags=()
for ws in "${workspaces[@]}"; do flags+=(--workspace "services/$ws"); done
closure=$(npm ls --omit=dev --all --parseable "${flags[@]}" | sed -n "s#^$ROOT/##p" | sort -u)
[[ -n $closure ]] || die "bundle $service: npm ls listed no dependencies"

rm -rf "$out"
mkdir -p "$out"

# Each package of the closure without its own node_modules: the packages nested there that belong to the
# closure are in the list themselves; the others (dev-only versions) stay out. Left out as well: type-only
# packages (@types/*), source maps, type declarations and TypeScript sources, docs (licences stay).
# Workspace packages are links (node_modules/@tradeflow/<name> -> services/<name>), recreated as links.
declare -A linked=()
for ws in "${workspaces[@]}"; do linked[$ws]=1; done
packages=()
while IFS= read -r path; do
  if [[ -L $path ]]; then
    target=$(readlink "$path")
    mkdir -p "$out/$(dirname "$path")"
    ln -s "$target" "$out/$path"
    linked[$(basename "$target")]=1
  elif [[ $path != node_modules/@types/* && $path != */node_modules/@types/* ]]; then
    packages+=("$path")
  fi
done <<<"$closure"
# One find for all of them (a process per package is slow on a busy machine); files are hard links, not
# copies, so a bundle costs no disk writes (the image's COPY --from copies the contents).
find "${packages[@]}" -mindepth 1 \( -type d -name node_modules -prune \) -o \
  \( -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -iname 'readme*' \
  -o -iname 'changelog*' -o -iname 'history.md' \) \) -o \( ! -type d -print0 \) |
  xargs -0 cp --archive --link --parents --target-directory="$out"

# 4. The workspaces themselves: package.json, the compiled code (no maps or declarations), the contracts they
#    read at run time.
for ws in "${!linked[@]}"; do
  src="services/$ws"
  [[ -d $src/dist ]] || die "bundle $service: $src/dist is missing after tsc -b"
  mkdir -p "$out/$src"
  cp "$src/package.json" "$out/$src/"
  (cd "$src" && find dist -type f ! -name '*.map' ! -name '*.d.ts' ! -name '*.tsbuildinfo' -exec cp --parents -t "$out/$src/" {} +)
  for extra in openapi.yaml routes.yaml; do
    [[ ! -f $src/$extra ]] || cp "$src/$extra" "$out/$src/"
  done
done

# The root package.json without scripts or dev dependencies: names the workspaces so `npm ls` works.
node -e '
  const [root, out, names] = [process.argv[1], process.argv[2], process.argv.slice(3)];
  const pkg = require(root + "/package.json");
  const slim = { name: pkg.name, version: pkg.version, private: true, license: pkg.license,
    engines: pkg.engines, workspaces: names.sort().map((n) => "services/" + n) };
  require("fs").writeFileSync(out + "/package.json", JSON.stringify(slim, null, 2) + "\n");
' "$ROOT" "$out" "${!linked[@]}"

cp scripts/ship/healthcheck.cjs "$out/healthcheck.cjs"
if [[ $service == init ]]; then
  mkdir -p "$out/init"
  cp scripts/compose/init/* "$out/init/"
fi

size=$(du -sh "$out" | cut -f1)
say "bundle $service: $out ($size, $(grep -c node_modules <<<"$closure") packages) in $((SECONDS - t0))s"
