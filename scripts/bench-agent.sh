#!/usr/bin/env bash
# Side by side on this machine: CPU time per scrape of `vigil agent` and Debian's node_exporter,
# each scraped N times over loopback by one curl on one keep-alive connection, as Prometheus scrapes
# (no cache: --cache-ttl 0s), measured from /proc/PID/stat (utime+stime). node_exporter runs twice: with its defaults, and restricted to the
# collectors Vigil has, for a like-for-like ratio.
#   swift build -c release && scripts/bench-agent.sh          (N=1000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
VIGIL=${VIGIL:-.build/release/vigil}
EXPORTER=${EXPORTER:-prometheus-node-exporter}
HZ=$(getconf CLK_TCK)

cpu_seconds() { awk -v hz="$HZ" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# measure NAME PID URL
measure() {
    local name=$1 pid=$2 url=$3
    for _ in $(seq 20); do curl -s -o /dev/null "$url"; done
    local bytes samples before after start end
    bytes=$(curl -s "$url" | wc -c)
    samples=$(curl -s "$url" | grep -vc '^#')
    local args=()
    for _ in $(seq "$N"); do args+=(-o /dev/null "$url"); done
    before=$(cpu_seconds "$pid")
    start=$(date +%s.%N)
    curl -s "${args[@]}"
    end=$(date +%s.%N)
    after=$(cpu_seconds "$pid")
    awk -v n="$N" -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v name="$name" -v bytes="$bytes" -v samples="$samples" \
        'BEGIN { printf "| %s | %d | %d | %.0f | %.2f | %.2f |\n", name, samples, bytes, (a - b) / n * 1e6, (e - s) / n * 1e3, (a - b) / n * 100 }'
}

wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

"$VIGIL" agent --listen 127.0.0.1:19471 --cache-ttl 0s --log-level error & pids+=($!)
"$EXPORTER" --web.listen-address=127.0.0.1:19100 2>/dev/null & pids+=($!)
"$EXPORTER" --web.listen-address=127.0.0.1:19101 --collector.disable-defaults \
    --collector.cpu --collector.stat --collector.loadavg --collector.meminfo --collector.pressure \
    --collector.diskstats --collector.filesystem --collector.netdev --collector.netclass \
    --collector.infiniband --collector.hwmon --collector.uname --collector.os --collector.time 2>/dev/null & pids+=($!)
wait_http http://127.0.0.1:19471/metrics
wait_http http://127.0.0.1:19100/metrics
wait_http http://127.0.0.1:19101/metrics

echo "$N scrapes each, $(nproc) cores, $(uname -r)"
echo
echo "| exporter | samples | bytes | CPU µs / scrape | wall ms / scrape | % of one core at 1 s |"
echo "|---|---|---|---|---|---|"
measure "vigil agent" "${pids[0]}" http://127.0.0.1:19471/metrics
measure "node_exporter 1.5 (defaults)" "${pids[1]}" http://127.0.0.1:19100/metrics
measure "node_exporter 1.5 (Vigil's collectors)" "${pids[2]}" http://127.0.0.1:19101/metrics
