#!/usr/bin/env bash
# Installs the Debian packages charon-node builds, tests and benchmarks with. Idempotent: it only
# calls apt-get when something is missing. Run as root (or with sudo) on Debian 12 or later.
set -euo pipefail

packages=(
  # build: the C libraries behind the CArchive and CCurl targets
  pkg-config libarchive-dev libcurl4-openssl-dev ca-certificates
  # the node's runtime peers, started privately by the tests
  containerd runc nginx-light nftables iproute2
  # the ingress tests: clients in the network lab, throwaway TLS certificates
  curl openssl
  # validators and the benchmark peer
  skopeo umoci buildah zstd hyperfine wrk prometheus-node-exporter
  # promtool (check metrics) ships in Debian's prometheus package
  prometheus
  # manifest and unit checks
  python3-venv systemd
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
