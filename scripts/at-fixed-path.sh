#!/usr/bin/env bash
# Runs a command in this checkout as if it were at a fixed path, $CHARON_FIXED_ROOT
# (/tmp/charon-node-src): a private mount namespace binds the checkout there, so nothing outside
# this one command sees it and two builds at once do not collide.
#
#   scripts/at-fixed-path.sh swift build -c release …     # make build and make release use it
#
# Why: one thing in a Swift release build still depends on where the sources are, whatever the
# flags. For `withoutActuallyEscaping` (HummingbirdCore uses it) an optimized build passes the
# runtime's check an empty file name but the length of the source's real absolute path, so the
# clone's folder leaks into .text. Building every clone at one path removes that and anything
# like it, as Debian's reproducible builds do. Root uses a mount namespace of its own; anyone else
# an unprivileged user namespace (Debian's default).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fixed=${CHARON_FIXED_ROOT:-/tmp/charon-node-src}
(($#)) || {
  echo "usage: $0 COMMAND [ARGUMENT…]" >&2
  exit 2
}
mkdir -p "$fixed"
namespace=(unshare --mount --propagation private)
[[ $(id -u) -eq 0 ]] || namespace=(unshare --user --map-root-user --mount --propagation private)
exec "${namespace[@]}" bash -c 'mount --bind "$1" "$2" && cd "$2" && shift 2 && exec "$@"' bash "$root" "$fixed" "$@"
