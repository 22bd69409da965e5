#!/usr/bin/env bash
# The agent's idle cost and its status endpoint under load, side by side with Debian's
# prometheus-node-exporter in the same run on the same machine.
#
#   bench/agent.sh [idle-seconds] [runs] [idle-after-seconds]   (defaults: 180 s, 3 runs, 60 s)
#
# Idle: RSS sampled every 5 s (median) and CPU time over the whole window (user + system, the
# agent's `ctr` children included, since it pays for them), scaled to CPU seconds per hour and
# % of one core; RSS again (median) in a second idle window after both were scraped by the load
# runs. Peak RSS: the agent's own (its first pass builds the image) and a build child's
# (`charon-node image build` from scratch, what each pass's child does at most), under
# /usr/bin/time. Load: wrk on loopback, paced at ~1,000 req/s (10 connections, each waiting 9 ms
# between requests) and flat out, for the agent's /status and /metrics and node_exporter's
# /metrics; medians of the runs. Needs: a release build (.build/release/charon-node and
# charon-lifecycle, or CHARON_NODE=path), containerd, wrk, prometheus-node-exporter.
set -euo pipefail
idle_seconds=${1:-180}
runs=${2:-3}
after_seconds=${3:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
binary=${CHARON_NODE:-$root/.build/release/charon-node}
work=${BENCH_DIR:-$root/.build/bench-agent}
agent_port=19102
exporter_port=19100
hz=$(getconf CLK_TCK)
for tool in wrk prometheus-node-exporter containerd ctr; do
  command -v "$tool" >/dev/null || { echo "bench/agent.sh: $tool is not installed" >&2; exit 1; }
done
[[ -x $binary ]] || { echo "bench/agent.sh: no $binary (make build, or set CHARON_NODE)" >&2; exit 1; }

mkdir -p "$work"
rm -f "$work"/*.wrk
socket=$(scripts/private-containerd.sh start "$work/containerd")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/private-containerd.sh stop "$work/containerd" || true
}
trap cleanup EXIT

# The agent as it runs on a node (default interval, the shipped lifecycle spec), minus Kubernetes.
# No tarball yet: the first pass builds the image, so the agent's peak RSS covers a real build.
rm -f "$work/tailscale-lifecycle-image.tar" "$work/tailscale-lifecycle-image.tar.inputs.json"
"$binary" agent --spec images/tailscale-lifecycle --output "$work/tailscale-lifecycle-image.tar" \
  --containerd-address "$socket" --namespace bench --status-address "127.0.0.1:$agent_port" \
  --node-name bench >"$work/agent.log" 2>&1 &
agent=$!
pids+=("$agent")
prometheus-node-exporter --web.listen-address="127.0.0.1:$exporter_port" >"$work/node-exporter.log" 2>&1 &
exporter=$!
pids+=("$exporter")

for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$agent_port/readyz" >/dev/null && curl -sf "http://127.0.0.1:$exporter_port/metrics" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$agent_port/readyz" >/dev/null || { echo "agent not ready:" >&2; tail "$work/agent.log" >&2; exit 1; }
# Let the first pass's build and import settle before measuring idle.
sleep 5

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# RSS split: anonymous (what the process allocated) and file-backed (its binary and libraries,
# reclaimable page cache; on kernels with large folios for executables this is most of a big
# binary's text, touched or not).
rss_part() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
# utime + stime + cutime + cstime, in clock ticks.
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) {print "-"} else if (NR % 2) {print a[(NR + 1) / 2]} else {print (a[NR / 2] + a[NR / 2 + 1]) / 2}}'; }

echo "== idle for $idle_seconds s (agent every 60 s, node_exporter not scraped)" >&2
agent_cpu0=$(cpu_ticks "$agent"); exporter_cpu0=$(cpu_ticks "$exporter"); start=$(date +%s.%N)
: >"$work/agent.rss"; : >"$work/exporter.rss"
: >"$work/agent.anon"; : >"$work/exporter.anon"; : >"$work/agent.file"; : >"$work/exporter.file"
end=$(($(date +%s) + idle_seconds))
while (($(date +%s) < end)); do
  rss_kib "$agent" >>"$work/agent.rss"
  rss_kib "$exporter" >>"$work/exporter.rss"
  rss_part "$agent" RssAnon >>"$work/agent.anon"; rss_part "$exporter" RssAnon >>"$work/exporter.anon"
  rss_part "$agent" RssFile >>"$work/agent.file"; rss_part "$exporter" RssFile >>"$work/exporter.file"
  sleep 5
done
elapsed=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}')
agent_cpu=$(($(cpu_ticks "$agent") - agent_cpu0))
exporter_cpu=$(($(cpu_ticks "$exporter") - exporter_cpu0))
per_hour() { awk -v t="$1" -v hz="$hz" -v e="$elapsed" 'BEGIN {printf "%.2f", t / hz / e * 3600}'; }
percent() { awk -v t="$1" -v hz="$hz" -v e="$elapsed" 'BEGIN {printf "%.3f", t / hz / e * 100}'; }

# wrk's --latency distribution, in ms; and requests per second.
to_ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); print v / 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v); print v} else if (v ~ /s$/) {sub(/s$/, "", v); print v * 1000} else print v}'; }
percentile() { awk -v p="$2" '$1 == p {print $2}' "$1" | to_ms; }
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
cat >"$work/pace.lua" <<'LUA'
-- ~1,000 req/s from 10 connections: each waits 9 ms (+ ~1 ms round trip) between requests.
function delay() return 9 end
LUA

targets=("agent /status|http://127.0.0.1:$agent_port/status" "agent /metrics|http://127.0.0.1:$agent_port/metrics" "node_exporter /metrics|http://127.0.0.1:$exporter_port/metrics")
for run in $(seq 1 "$runs"); do
  for index in "${!targets[@]}"; do
    url=${targets[$index]#*|}
    echo "== run $run: ${targets[$index]%%|*} paced and flat out" >&2
    wrk -t1 -c10 -d15s --latency -s "$work/pace.lua" "$url" >"$work/$index.paced.$run.wrk"
    wrk -t1 -c10 -d10s --latency "$url" >"$work/$index.max.$run.wrk"
  done
done
agent_rss_after=$(rss_kib "$agent")
exporter_rss_after=$(rss_kib "$exporter")

echo "== idle again for $after_seconds s, both scraped" >&2
: >"$work/agent.after"; : >"$work/exporter.after"
end=$(($(date +%s) + after_seconds))
while (($(date +%s) < end)); do
  rss_kib "$agent" >>"$work/agent.after"
  rss_kib "$exporter" >>"$work/exporter.after"
  sleep 5
done

# A build child's peak: the lifecycle image from scratch, as the agent's first pass builds it.
echo "== a build child from scratch" >&2
rm -f "$work/peak-build.tar" "$work/peak-build.tar.inputs.json" "$work/peak-build.tar.spdx.json"
/usr/bin/time -f %M -o "$work/build.maxrss" "$binary" image build --spec images/tailscale-lifecycle \
  --output "$work/peak-build.tar" >"$work/build.log" 2>&1
build_peak_kib=$(tail -1 "$work/build.maxrss")
# Again, sampling its anonymous memory every 10 ms: in the pod's cgroup the child's file pages are
# mostly the daemon's (the same binary in the page cache), what it adds is chiefly this.
rm -f "$work/peak-build.tar" "$work/peak-build.tar.inputs.json" "$work/peak-build.tar.spdx.json"
"$binary" image build --spec images/tailscale-lifecycle --output "$work/peak-build.tar" >>"$work/build.log" 2>&1 &
child=$!
build_anon_kib=0
while kill -0 "$child" 2>/dev/null; do
  anon=$(rss_part "$child" RssAnon 2>/dev/null || true)
  ((${anon:-0} > build_anon_kib)) && build_anon_kib=$anon
  sleep 0.01
done
wait "$child"
agent_peak_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent/status")

echo
echo "Idle, $(printf %.0f "$elapsed") s, $(nproc) cores:"
echo
echo "| | charon-node agent | prometheus-node-exporter |"
echo "|---|---|---|"
echo "| RSS idle, median (MiB) | $(median <"$work/agent.rss" | awk '{printf "%.1f", $1 / 1024}') | $(median <"$work/exporter.rss" | awk '{printf "%.1f", $1 / 1024}') |"
echo "| of which anonymous (MiB) | $(median <"$work/agent.anon" | awk '{printf "%.1f", $1 / 1024}') | $(median <"$work/exporter.anon" | awk '{printf "%.1f", $1 / 1024}') |"
echo "| of which file-backed (MiB) | $(median <"$work/agent.file" | awk '{printf "%.1f", $1 / 1024}') | $(median <"$work/exporter.file" | awk '{printf "%.1f", $1 / 1024}') |"
echo "| binary size (MiB) | $(stat -c %s "$binary" | awk '{printf "%.1f", $1 / 1048576}') | $(stat -c %s "$(command -v prometheus-node-exporter)" | awk '{printf "%.1f", $1 / 1048576}') |"
echo "| peak RSS over the run, first pass builds the image (MiB) | $(awk -v k="$agent_peak_kib" 'BEGIN {printf "%.1f", k / 1024}') | $(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$exporter/status") |"
echo "| peak RSS of a build child, image from scratch (MiB) | $(awk -v k="$build_peak_kib" 'BEGIN {printf "%.1f", k / 1024}') | — |"
echo "| peak anonymous memory of the build child, sampled every 10 ms (MiB) | $(awk -v k="$build_anon_kib" 'BEGIN {printf "%.1f", k / 1024}') | — |"
echo "| peak with a build: agent's peak + the child's anonymous peak (MiB) | $(awk -v a="$agent_peak_kib" -v b="$build_anon_kib" 'BEGIN {printf "%.1f", (a + b) / 1024}') | — |"
echo "| bound: agent's peak + the child's whole peak RSS (MiB; shared file pages counted twice) | $(awk -v a="$agent_peak_kib" -v b="$build_peak_kib" 'BEGIN {printf "%.1f", (a + b) / 1024}') | — |"
echo "| RSS after the load runs (MiB) | $(awk -v k="$agent_rss_after" 'BEGIN {printf "%.1f", k / 1024}') | $(awk -v k="$exporter_rss_after" 'BEGIN {printf "%.1f", k / 1024}') |"
echo "| RSS idle after both were scraped, median of $after_seconds s (MiB) | $(median <"$work/agent.after" | awk '{printf "%.1f", $1 / 1024}') | $(median <"$work/exporter.after" | awk '{printf "%.1f", $1 / 1024}') |"
echo "| CPU idle (s per hour) | $(per_hour "$agent_cpu") | $(per_hour "$exporter_cpu") |"
echo "| CPU idle (% of one core) | $(percent "$agent_cpu") | $(percent "$exporter_cpu") |"
echo
echo "Loopback load, wrk -t1 -c10, medians of $runs runs (latency in ms):"
echo
echo "| endpoint | paced req/s | paced p50 | paced p99 | max req/s | max p50 | max p99 |"
echo "|---|---|---|---|---|---|---|"
for index in "${!targets[@]}"; do
  row="| ${targets[$index]%%|*} |"
  for mode in paced max; do
    files=("$work/$index.$mode".*.wrk)
    row+=" $(for f in "${files[@]}"; do rps "$f"; done | median) |"
    row+=" $(for f in "${files[@]}"; do percentile "$f" 50%; done | median) |"
    row+=" $(for f in "${files[@]}"; do percentile "$f" 99%; done | median) |"
  done
  echo "$row"
done
echo
echo "Passes during the run: $(curl -s "http://127.0.0.1:$agent_port/metrics" | awk '/^charon_agent_reconcile_passes_total/ {s += $2} END {print s}'); agent log: $work/agent.log"
