#!/usr/bin/env bash
# `make release REGISTRY=<registry>/<path> VERSION=<x.y.z> [REGISTRY_INSECURE=1]` after `make build`
# has stamped VERSION into the binaries:
#   1. builds images/charon-node with charon-node's own builder (tarball + SBOM in .build/release-images/)
#   2. pushes it with skopeo as REGISTRY/charon-node:VERSION
#   3. pins every kustomization under PIN_DIR (default daemonset/) to REGISTRY/charon-node:VERSION@<digest>
#   4. prints the pushed reference with its digest (last line of output)
#
# Fails, before pushing anything, on a bad REGISTRY or VERSION or binaries stamped with another
# version; nothing is pinned unless the push succeeded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
registry=${REGISTRY:-}
version=${VERSION:-}
pin_dir=${PIN_DIR:-daemonset}
bin=${RELEASE_BIN:-.build/release}
out=.build/release-images

fail() {
  echo "make release: $*" >&2
  exit 2
}
[[ -n $registry ]] || fail "set REGISTRY=<registry>/<path> (e.g. ghcr.io/example-org or 127.0.0.1:5000/charon)"
[[ $registry =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$ ]] || fail "REGISTRY '$registry' is not <host>[:port][/path] in lowercase"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "VERSION '$version' is not a release version (x.y.z or x.y.z-rc.1)"
for executable in charon-node charon-lifecycle; do
  stamped=$("$bin/$executable" --version)
  [[ $stamped == "$version" ]] || fail "$bin/$executable says $stamped, not $version: build with VERSION=$version first"
done

mkdir -p "$out"
tarball=$out/charon-node-$version.tar
echo "== image build --spec images/charon-node -> $tarball"
"$bin/charon-node" image build --spec images/charon-node --output "$tarball"

reference=$registry/charon-node:$version
tls=()
[[ -n ${REGISTRY_INSECURE:-} ]] && tls=(--dest-tls-verify=false)
echo "== skopeo copy -> docker://$reference"
skopeo copy --quiet "${tls[@]}" --digestfile "$out/digest" "oci-archive:$tarball" "docker://$reference"
digest=$(cat "$out/digest")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "skopeo reported no digest for $reference"
built=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' <(tar -xOf "$tarball" index.json))
# skopeo pushes the manifest as built (no layer is recompressed), so the registry's digest is
# the one the builder wrote: a reproducible build of the same commit gives it again.
[[ $digest == "$built" ]] || echo "note: the registry stored $digest, the tarball holds $built (skopeo converted it)"

echo "== pin kustomizations under $pin_dir"
scripts/install-tools.sh all
.build/tools/venv/bin/python scripts/pin-release.py "$reference@$digest" --root "$pin_dir" --kubectl .build/tools/bin/kubectl
echo "released $reference@$digest"
