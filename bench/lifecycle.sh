#!/usr/bin/env bash
# charon-lifecycle benchmark: start-up to the first API request, and a whole `cleanup` against
# fakes holding 10,000 Headscale nodes and 10,000 Cloudflare records; wall time and peak RSS,
# side by side with what the seed's Python scripts paid before doing anything
# (`python3 -c 'import requests'`) and to their first request.
#
#   bench/lifecycle.sh [--rounds 7] [--nodes 10000] [--records 10000]
#
# Needs a release charon-lifecycle built as the image gets it (Makefile BUILD_FLAGS) and the
# CharonFakes test-support executable:
#   swift build -c release --static-swift-stdlib -Xlinker -s --product charon-lifecycle
#   swift build --product CharonFakes
# (set CHARON_LIFECYCLE / CHARON_FAKES to use other builds). Prints a table of medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=7 nodes=10000 records=10000
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--nodes N] [--records N]" >&2; exit 2 ;;
  esac
done
lifecycle=${CHARON_LIFECYCLE:-$root/.build/release/charon-lifecycle}
fakes=${CHARON_FAKES:-$root/.build/debug/CharonFakes}
for binary in "$lifecycle" "$fakes"; do
  [[ -x $binary ]] || { echo "lifecycle.sh: $binary is not built (see the header)" >&2; exit 1; }
done

scratch=$(mktemp -d)
fakes_pid=
cleanup() {
  [[ -n $fakes_pid ]] && kill "$fakes_pid" 2>/dev/null && wait "$fakes_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

"$fakes" --nodes "$nodes" --records "$records" --version 0.28 >"$scratch/fakes.out" 2>"$scratch/fakes.err" &
fakes_pid=$!
for _ in $(seq 100); do
  grep -q ADMIN_URL "$scratch/fakes.out" 2>/dev/null && break
  sleep 0.1
done
# shellcheck disable=SC1091
source <(grep = "$scratch/fakes.out" | sed 's/^/export /')
[[ -n ${ADMIN_URL:-} ]] || { echo "lifecycle.sh: CharonFakes did not start: $(cat "$scratch/fakes.err")" >&2; exit 1; }
echo "fakes: $(curl -s "$ADMIN_URL/counts")"
# Warm the fake's per-node JSON cache, so the rounds time the client, not the fake's first pass.
curl -s -o /dev/null -H 'Authorization: Bearer hskey-bench' "$HEADSCALE_URL/api/v1/node?user=services"

export HEADSCALE_API_KEY=hskey-bench HEADSCALE_USER=services DOMAIN_NAME=example.com
export CLOUDFLARE_API_TOKEN=cf-bench CLOUDFLARE_ZONE_ID=bench-zone
export AUTHKEY_OUTPUT_PATH=$scratch/authkey

now_ns() { date +%s%N; }

# Runs "$@" under /usr/bin/time; appends "wall_ms rss_kib startup_ms" to the file in $1.
measure() {
  local out=$1; shift
  curl -s -X POST "$ADMIN_URL/reset" >/dev/null
  local start end first
  start=$(now_ns)
  /usr/bin/time -f %M -o "$scratch/rss" "$@" >"$scratch/run.out" 2>&1 || {
    echo "lifecycle.sh: $* failed:" >&2; cat "$scratch/run.out" >&2; exit 1
  }
  end=$(now_ns)
  first=$(curl -s "$ADMIN_URL/first-request")
  local startup=NA
  [[ $first =~ ^[0-9]+$ ]] && startup=$(( (first - start) / 1000 ))
  echo "$(( (end - start) / 1000 )) $(tail -1 "$scratch/rss") $startup" >>"$out"
}

median() { # column (1 wall µs, 2 rss KiB, 3 startup µs) of a results file
  awk -v c="$1" '$c != "NA" {print $c}' "$2" | sort -n | awk '{v[NR]=$1} END {if (NR==0) print "NA"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

python_get="import requests; requests.get('$HEADSCALE_URL/api/v1/user?name=services', headers={'Authorization': 'Bearer hskey-bench'}, timeout=10)"
for round in $(seq "$rounds"); do
  # A fresh hostname per round, so every cleanup deletes 2 stale nodes and 2 stale records.
  TS_HOSTNAME=svc-$round measure "$scratch/cleanup" "$lifecycle" cleanup
  measure "$scratch/version" "$lifecycle" --version
  measure "$scratch/py-import" python3 -c 'import requests'
  measure "$scratch/py-get" python3 -c "$python_get"
done

ms() { awk -v v="$1" 'BEGIN { if (v == "NA") print "—"; else printf "%.1f", v / 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }
printf '\ncharon-lifecycle vs Python, medians of %s rounds (%s nodes, %s records in the fakes)\n\n' "$rounds" "$nodes" "$records"
printf '| %-58s | %14s | %19s | %13s |\n' "run" "wall ms" "to 1st request ms" "peak RSS MiB"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..21})" "$(printf -- '-%.0s' {1..15})"
row() { printf '| %-58s | %14s | %19s | %13s |\n' "$1" "$(ms "$(median 1 "$2")")" "$(ms "$(median 3 "$2")")" "$(mib "$(median 2 "$2")")"; }
row "charon-lifecycle cleanup (10k nodes, 10k records)" "$scratch/cleanup"
row "charon-lifecycle --version (process start only)" "$scratch/version"
row "python3 -c 'import requests'" "$scratch/py-import"
row "python3: import requests + one GET" "$scratch/py-get"
echo
echo "fakes after the runs: $(curl -s "$ADMIN_URL/counts")"
