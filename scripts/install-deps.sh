#!/usr/bin/env bash
# Installs the Debian packages charon-node needs for one job, and only what is missing (apt-get
# runs only then). Run as root (or with sudo) on Debian 12 or later.
#
#   scripts/install-deps.sh build   # the C libraries behind the CArchive, CCurl and CYAML targets
#   scripts/install-deps.sh demo    # build + containerd and runc (make demo)
#   scripts/install-deps.sh test    # demo + what the tests drive for real (make test)
#   scripts/install-deps.sh release # build + what images/charon-node copies (ctr, nft) + skopeo
#   scripts/install-deps.sh bench   # test + the benchmarks' peers (make bench, bench-agent, …)
set -euo pipefail

# libzstd-dev and zlib1g-dev: release builds link libarchive.a, whose zstd and gzip filters need them.
build=(pkg-config libarchive-dev libzstd-dev zlib1g-dev libcurl4-openssl-dev libyaml-dev ca-certificates)
demo=("${build[@]}" containerd runc)
# images/charon-node copies ctr (containerd) and nft (nftables) from this machine; skopeo pushes.
release=("${build[@]}" containerd nftables skopeo python3-venv)
test=(
  "${demo[@]}"
  # the ingress: a real nginx, nftables, network namespaces; clients and throwaway certificates
  nginx-light nftables iproute2 curl openssl
  # validators of what the builder writes; zstd reads compressed layers back
  skopeo umoci zstd
  # the registry the release is pushed to in the tests (the CNCF distribution registry)
  docker-registry
  # promtool (checks /metrics) ships in Debian's prometheus package
  prometheus
  # manifest and unit checks (kubernetes-validate in a venv, systemd-analyze verify)
  python3-venv systemd
)
bench=("${test[@]}" buildah hyperfine wrk prometheus-node-exporter)

job=${1:-test}
case "$job" in
build) packages=("${build[@]}") ;;
demo) packages=("${demo[@]}") ;;
test) packages=("${test[@]}") ;;
bench) packages=("${bench[@]}") ;;
release) packages=("${release[@]}") ;;
*)
  echo "usage: $0 build|demo|test|bench|release" >&2
  exit 2
  ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing for $job: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
