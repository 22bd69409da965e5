#!/usr/bin/env bash
# Fleet pass benchmark: `charon-node fleet --once` against the fakes holding 10,000 Headscale nodes
# and 10,000 Cloudflare records (CharonFakes --scenario fleet: 200 nodes to sweep, 100 stale
# addresses, 50 missing records, 50 names held by foreign records, 50 orphaned records), then a
# second pass over the result (nothing to change). Wall time and peak RSS under /usr/bin/time,
# Headscale and Cloudflare requests as the fakes counted them; beside it, what 10,000 sidecars in
# per-pod mode cost per 5 minutes (from their documented call pattern, docs/lifecycle.md).
#
#   bench/fleet.sh [--rounds 5] [--nodes 10000] [--records 10000] [--batch-limit 200]
#
# Needs a release charon-node and a release CharonFakes (Makefile BUILD_FLAGS: a debug fake spends
# seconds serializing 10,000 records, which would swamp the client's wall time):
#   swift build -c release --static-swift-stdlib -Xlinker -s --product charon-node
#   swift build -c release --static-swift-stdlib -Xlinker -s --product CharonFakes
# (set CHARON_NODE / CHARON_FAKES to use other builds). Prints tables of medians; CPU ms is
# charon-node's own user + system time, which the fakes' speed does not affect.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=5 nodes=10000 records=10000 batch_limit=200
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --batch-limit) batch_limit=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--nodes N] [--records N] [--batch-limit N]" >&2; exit 2 ;;
  esac
done
node_bin=${CHARON_NODE:-$root/.build/release/charon-node}
fakes=${CHARON_FAKES:-$root/.build/release/CharonFakes}
for binary in "$node_bin" "$fakes"; do
  [[ -x $binary ]] || { echo "fleet.sh: $binary is not built (see the header)" >&2; exit 1; }
done

scratch=$(mktemp -d)
fakes_pid=
stop_fakes() {
  if [[ -n $fakes_pid ]]; then kill "$fakes_pid" 2>/dev/null || true; wait "$fakes_pid" 2>/dev/null || true; fi
  fakes_pid=
}
trap 'stop_fakes; rm -rf "$scratch"' EXIT

start_fakes() {
  unset HEADSCALE_URL CLOUDFLARE_API_URL ADMIN_URL
  "$fakes" --scenario fleet --nodes "$nodes" --records "$records" --batch-limit "$batch_limit" >"$scratch/fakes.out" 2>"$scratch/fakes.err" &
  fakes_pid=$!
  for _ in $(seq 1200); do
    grep -q ADMIN_URL "$scratch/fakes.out" 2>/dev/null && break
    sleep 0.1
  done
  # shellcheck disable=SC1091
  source <(grep = "$scratch/fakes.out" | sed 's/^/export /')
  [[ -n ${ADMIN_URL:-} ]] || { echo "fleet.sh: CharonFakes did not start: $(cat "$scratch/fakes.err")" >&2; exit 1; }
  # Warm the fake's per-node JSON cache, so the rounds time the client, not the fake's first pass.
  curl -s -o /dev/null -H 'Authorization: Bearer hskey-bench' "$HEADSCALE_URL/api/v1/node?user=services"
  curl -s -X POST "$ADMIN_URL/reset" >/dev/null
}

export HEADSCALE_API_KEY=hskey-bench HEADSCALE_USER=services DOMAIN_NAME=example.com
export CLOUDFLARE_API_TOKEN=cf-bench CLOUDFLARE_ZONE_ID=bench-zone LOG_LEVEL=warning

now_ns() { date +%s%N; }
count() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

# One pass under /usr/bin/time; appends "wall_µs rss_KiB headscale cloudflare cpu_µs" to $1 and
# keeps the summary line in $1.summary.
measure() {
  local out=$1 start end counts
  curl -s -X POST "$ADMIN_URL/reset" >/dev/null
  start=$(now_ns)
  /usr/bin/time -f '%M %U %S' -o "$scratch/rss" "$node_bin" fleet --once >"$scratch/run.out" 2>"$scratch/run.err" || {
    echo "fleet.sh: charon-node fleet --once failed:" >&2; cat "$scratch/run.out" "$scratch/run.err" >&2; exit 1
  }
  end=$(now_ns)
  counts=$(curl -s "$ADMIN_URL/counts")
  read -r rss user system < <(tail -1 "$scratch/rss")
  local cpu
  cpu=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%d", (u + s) * 1000000 }')
  echo "$(( (end - start) / 1000 )) $rss $(count headscale_requests "$counts") $(count cloudflare_requests "$counts") $cpu" >>"$out"
  tail -1 "$scratch/run.out" >"$out.summary"
}

for round in $(seq "$rounds"); do
  start_fakes
  measure "$scratch/first"
  measure "$scratch/second"
  stop_fakes
done

median() { # column of a results file
  awk -v c="$1" '{print $c}' "$2" | sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
ms() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }

printf '\ncharon-node fleet --once, medians of %s rounds (%s nodes, %s records in the fakes; batches of %s)\n\n' \
  "$rounds" "$nodes" "$records" "$batch_limit"
printf '| %-44s | %7s | %6s | %12s | %15s | %16s |\n' "pass" "wall ms" "CPU ms" "peak RSS MiB" "Headscale calls" "Cloudflare calls"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "---------" "--------" "--------------" "-----------------" "------------------"
row() {
  printf '| %-44s | %7s | %6s | %12s | %15s | %16s |\n' "$1" "$(ms "$(median 1 "$2")")" "$(ms "$(median 5 "$2")")" \
    "$(mib "$(median 2 "$2")")" "$(median 3 "$2")" "$(median 4 "$2")"
}
row "first pass (sweep + 400 record changes)" "$scratch/first"
row "second pass (nothing to change)" "$scratch/second"
echo
echo "first pass:  $(cat "$scratch/first.summary")"
echo "second pass: $(cat "$scratch/second.summary")"

# Per-pod mode, from the sidecar's call pattern (docs/lifecycle.md): every pod re-reads its record
# from Cloudflare every DNS_RECHECK_INTERVAL (300 s ±20 %: one GET per 5 min on average) and asks
# Headscale for its node every MONITOR_INTERVAL (30 s: ten GETs per 5 min).
pods=10000
listing=$(( (records + 4999) / 5000 ))
printf '\nSteady state per 5 minutes with %s service pods (Cloudflare budget: 1,200 calls / 5 min per token owner)\n\n' "$pods"
printf '| %-52s | %22s | %13s | %24s |\n' "mode" "Cloudflare calls / 5 min" "% of budget" "Headscale calls / 5 min"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "------------------------" "---------------" "--------------------------"
printf '| %-52s | %22s | %13s | %24s |\n' "per-pod: every sidecar re-checks its record" "$pods" \
  "$(awk -v c="$pods" 'BEGIN { printf "%.0f %%", c * 100 / 1200 }')" "$((pods * 10))"
printf '| %-52s | %22s | %13s | %24s |\n' "fleet: one pass (FLEET_MANAGED_DNS=true sidecars)" "$listing" \
  "$(awk -v c="$listing" 'BEGIN { printf "%.2f %%", c * 100 / 1200 }')" "$((2 + pods * 10)) (2 + sidecars' polls)"
