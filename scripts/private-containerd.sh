#!/usr/bin/env bash
# Starts or stops a private containerd whose root, state and socket live under one folder, so
# tests and the demo never touch the host's containerd.
#
#   scripts/private-containerd.sh start DIR   # prints the socket path once it answers
#   scripts/private-containerd.sh stop DIR
#
# The sockets are not in DIR: a unix socket path holds at most 107 bytes, and a clone at
# ~/src/github.com/<org>/charon-node/.build/containerd-test/ leaves too little for
# `containerd.sock.ttrpc`. They go in a folder of ours (0711) under /tmp named after DIR's hash,
# so `stop DIR` finds the same one and two checkouts never share it. 0711: nobody else lists it;
# the socket itself is containerd's (0660 root), so a user without rights is refused at the socket.
set -euo pipefail
action=${1:?start|stop}
dir=$(realpath -m "${2:?folder}")
sockets=${TMPDIR:-/tmp}/charon-ctd-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
socket="$sockets/containerd.sock"

case "$action" in
start)
  mkdir -p "$dir"
  mkdir -p -m 0711 "$sockets"
  [[ -O $sockets && ! -L $sockets ]] || {
    echo "$sockets is not a folder of ours" >&2
    exit 1
  }
  if [[ -S $socket ]] && ctr --address "$socket" version >/dev/null 2>&1; then
    echo "$socket"
    exit 0
  fi
  cat >"$dir/config.toml" <<CONFIG
version = 2
root = "$dir/root"
state = "$dir/state"
[grpc]
  address = "$socket"
[ttrpc]
  address = "$socket.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  disable_apparmor = true
  disable_cgroup = false
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
CONFIG
  nohup containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  for _ in $(seq 1 100); do
    if [[ -S $socket ]] && ctr --address "$socket" version >/dev/null 2>&1; then
      echo "$socket"
      exit 0
    fi
    sleep 0.1
  done
  echo "containerd did not start; log:" >&2
  tail -20 "$dir/containerd.log" >&2
  exit 1
  ;;
stop)
  if [[ -f $dir/containerd.pid ]]; then
    pid=$(cat "$dir/containerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/containerd.pid"
  fi
  # Containers started by tests leave runc shims and mounts behind when killed mid-way.
  pkill -f "containerd-shim.*$dir" 2>/dev/null || true
  grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf "$sockets"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
