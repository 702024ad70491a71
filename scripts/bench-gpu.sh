#!/usr/bin/env bash
# GPU collection cost without a GPU: NVML through the test suite's fake libnvidia-ml (2 GPUs, every
# field answered), and the simulator with 8 GPUs; then the whole agent with 8 simulated GPUs plus the
# host collectors at a 1 s interval, CPU measured from /proc/PID/stat over 60 scrapes.
#   swift build -c release && scripts/bench-gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-.build/release/vigil}
work=$(mktemp -d)
trap 'rm -rf "$work"; kill $agent 2>/dev/null || true' EXIT
agent=""

cc -shared -fPIC -O2 -I Sources/CNVML/include -o "$work/libnvidia-ml.so.1" Tests/VigilGPUTests/FakeNVML/fake_nvml.c
echo "== NVML (fake library)"
VIGIL_NVML_LIBRARY="$work/libnvidia-ml.so.1" "$VIGIL" bench gpu --gpu-backend nvml --iterations 20000
echo "== simulator, 8 × H100"
"$VIGIL" bench gpu --gpu-backend sim --sim-gpus 8 --iterations 20000

echo "== agent: host collectors + 8 simulated GPUs, scraped once a second for 60 s"
"$VIGIL" agent --listen 127.0.0.1:19472 --gpu-backend sim --sim-gpus 8 --log-level error >/dev/null &
agent=$!
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:19472/metrics && break; sleep 0.1; done
hz=$(getconf CLK_TCK)
before=$(awk '{print $14 + $15}' /proc/$agent/stat)
for _ in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:19472/metrics; sleep 1; done
after=$(awk '{print $14 + $15}' /proc/$agent/stat)
awk -v b="$before" -v a="$after" -v hz="$hz" 'BEGIN { printf "  %.2f CPU-s over 60 s = %.2f %% of one core\n", (a - b) / hz, (a - b) / hz / 60 * 100 }'
