#!/usr/bin/env bash
# Validates what we ship for clusters and hosts; exits non-zero on any failure.
#   - every manifest under daemonset/ with kubernetes-validate --strict (unknown fields are errors),
#     then what `kubectl apply -k` would apply: the base and each overlay rendered by kustomize, and
#     each component rendered on the base (scripts/install-tools.sh puts the tools in .build/tools)
#   - systemd/*.service with systemd-analyze verify; any complaint about our unit is a failure
#     (verify itself exits 0 on many of them, e.g. "Invalid syntax, ignoring")
#   - the docs with scripts/check-docs.py: every relative link in README.md and docs/*.md
#     resolves, and nothing in the repository refers to files outside it
#
#   scripts/check-manifests.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools=$root/.build/tools
status=0

# kubernetes-validate: pinned, so CI results do not move under us.
scripts/install-tools.sh python || {
  echo "check-manifests: cannot install kubernetes-validate" >&2
  exit 1
}
shopt -s nullglob
# Custom resources (Gateway API in components/ingress-traefik/gateway.yaml) have no schema in the
# validator, which warns and passes them: the Swift manifest tests check their shape.
manifests=()
for file in $(find daemonset -name '*.yaml' | sort); do
  # kustomization.yaml lists the others for `kubectl apply -k`; it is not an API object
  # (Tests/IngressTests/Manifests/KustomizationTests.swift checks it).
  [[ $(basename "$file") == kustomization.yaml ]] || manifests+=("$file")
done
# validate WHAT FILE…: kubernetes-validate --strict, one line saying which WHAT passed or failed.
validate() {
  local what=$1
  shift
  if "$tools/venv/bin/kubernetes-validate" --strict --quiet "$@"; then
    echo "check-manifests: $what pass kubernetes-validate --strict"
  else
    echo "check-manifests: $what: kubernetes-validate --strict failed" >&2
    status=1
  fi
}

if ((${#manifests[@]} == 0)); then
  echo "check-manifests: no daemonset/*.yaml" >&2
  status=1
else
  validate "${#manifests[@]} manifests" "${manifests[@]}"
fi

# What `kubectl apply -k` applies: every kustomization rendered by real kustomize, then validated
# (patches included), so a patch that breaks an object fails here. A Component cannot be rendered
# alone: each is rendered on the base, in a scratch overlay in a copy of daemonset/ (kustomize
# loads folders by relative path only).
scripts/install-tools.sh kubectl || status=1
rendered=$(mktemp -d)
cp -r daemonset "$rendered/daemonset"
for kustomization in $(find daemonset -name kustomization.yaml | sort); do
  folder=$(dirname "$kustomization")
  what=$folder
  if grep -q '^kind: Component' "$kustomization"; then
    name=$(basename "$folder")
    what="$folder on daemonset/base"
    folder=$rendered/daemonset/overlays/check-manifests-$name
    mkdir -p "$folder"
    printf 'resources:\n- ../../base\ncomponents:\n- ../../components/%s\n' "$name" >"$folder/kustomization.yaml"
  fi
  out=$rendered/$(tr / - <<<"${what// /-}").yaml
  if "$tools/bin/kubectl" kustomize "$folder" >"$out"; then
    validate "the objects kubectl kustomize $what renders" "$out"
  else
    echo "check-manifests: kubectl kustomize $what failed" >&2
    status=1
  fi
done
rm -rf "$rendered"

# systemd-analyze verify checks that ExecStart= exists; before `make install` it does not, so
# verify a copy whose ExecStart points at the built binary (or /bin/true): same unit otherwise.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
binary=/bin/true
for candidate in /usr/local/bin/charon-node .build/release/charon-node .build/debug/charon-node; do
  if [[ -x $candidate ]]; then binary=$(realpath "$candidate"); break; fi
done
for unit in systemd/*.service; do
  copy=$scratch/$(basename "$unit")
  sed -E "s#^ExecStart=/usr/local/bin/charon-node#ExecStart=$binary#" "$unit" >"$copy"
  output=$(systemd-analyze verify "$copy" 2>&1)
  code=$?
  complaints=$(grep -F "$copy" <<<"$output" || true)
  if ((code != 0)) || [[ -n $complaints ]]; then
    echo "check-manifests: systemd-analyze verify $unit failed:" >&2
    echo "${complaints:-$output}" | sed "s#$copy#$unit#g" >&2
    status=1
  else
    echo "check-manifests: $unit passes systemd-analyze verify"
  fi
done

if ! python3 scripts/check-docs.py --self-test || ! python3 scripts/check-docs.py; then
  echo "check-manifests: scripts/check-docs.py failed" >&2
  status=1
fi
exit $status
