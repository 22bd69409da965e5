#!/usr/bin/env bash
# Reproducible from source: a fresh clone of HEAD in another, longer folder, built with
# `make build VERSION=…`, must give byte-identical charon-node and charon-lifecycle to this
# checkout's release build of the same version, and the same lifecycle image digest.
#
#   scripts/check-reproducible.sh VERSION   # after `make build VERSION=VERSION` (make release does it)
#
# The clone is of HEAD: commit first, uncommitted changes are not in it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=${1:?usage: check-reproducible.sh VERSION}
fail() {
  echo "check-reproducible: FAILED: $*" >&2
  exit 1
}
for executable in charon-node charon-lifecycle; do
  [[ $(.build/release/$executable --version) == "$version" ]] || fail ".build/release/$executable is not built with VERSION=$version"
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/charon-repro-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
clone=$scratch/home/someone/src/github.com/example-org/charon-node
git clone --quiet --no-hardlinks "$root" "$clone"
echo "check-reproducible: make build VERSION=$version in $clone"
make --no-print-directory -C "$clone" build VERSION="$version" >"$scratch/build.log" 2>&1 || {
  tail -20 "$scratch/build.log" >&2
  fail "make build in the clone"
}
for executable in charon-node charon-lifecycle; do
  cmp --quiet ".build/release/$executable" "$clone/.build/release/$executable" ||
    fail "$executable differs between $root and $clone ($(cmp -l ".build/release/$executable" "$clone/.build/release/$executable" | wc -l) bytes)"
  echo "check-reproducible: $executable identical ($(sha256sum <".build/release/$executable" | cut -c1-16)…)"
done
# Each charon-node builds the lifecycle image from its own checkout: `REFERENCE DIGEST PATH OUTCOME`.
digests=()
for checkout in "$root" "$clone"; do
  output=$scratch/lifecycle-${#digests[@]}.tar
  read -r _ digest _ < <("$checkout/.build/release/charon-node" image build --spec "$checkout/images/tailscale-lifecycle" --output "$output" 2>/dev/null)
  digests+=("$digest")
done
[[ ${digests[0]} == "${digests[1]}" ]] || fail "the lifecycle image differs: ${digests[0]} vs ${digests[1]}"
echo "check-reproducible: passed (lifecycle image ${digests[0]} from both)"
