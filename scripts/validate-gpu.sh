#!/usr/bin/env bash
# Hardware validation on a machine with NVIDIA GPUs: Vigil's NVML readings against nvidia-smi's, taken
# at the same moment, plus the agent's dcgm-exporter output. Build the binary where Swift is:
#   swift build -c release --static-swift-stdlib --scratch-path .build-static
# then run this beside it on the GPU machine:
#   VIGIL=.build-static/release/vigil scripts/validate-gpu.sh [OUTDIR]
# Results (raw outputs and a comparison table) go to OUTDIR (default ./gpu-validation); record the table
# in docs/hardware-validation.md.
set -euo pipefail
VIGIL=${VIGIL:-.build-static/release/vigil}
out=${1:-gpu-validation}
mkdir -p "$out"
fields=index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw,enforced.power.limit,clocks.sm,clocks.mem,pstate,pcie.link.gen.current,pcie.link.width.current
nvidia-smi -L > "$out/nvidia-smi-L.txt"
nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1 > "$out/driver.txt"
# Same moment: both started together, each reads once.
nvidia-smi --query-gpu=$fields --format=csv,noheader,nounits > "$out/nvidia-smi.csv" &
"$VIGIL" smi --gpu-backend nvml --json > "$out/vigil-smi.json"
wait
"$VIGIL" smi --gpu-backend nvml > "$out/vigil-smi.txt" || true
nvidia-smi -q -x > "$out/nvidia-smi-q.xml"
"$VIGIL" smi --from-xml "$out/nvidia-smi-q.xml" > "$out/vigil-smi-from-xml.txt" || true
"$VIGIL" agent --listen 127.0.0.1:19479 --gpu-backend nvml --log-level error > "$out/agent.log" 2>&1 &
agent=$!
sleep 3
curl -s 127.0.0.1:19479/metrics > "$out/agent-metrics.txt" || true
kill $agent || true
time (for _ in $(seq 100); do "$VIGIL" bench gpu --gpu-backend nvml --iterations 1 >/dev/null; done) 2> "$out/bench-time.txt" || true
"$VIGIL" bench gpu --gpu-backend nvml --iterations 1000 > "$out/bench-gpu.txt" || true
python3 - "$out" <<'PY' || echo "python3 missing: compare $out/nvidia-smi.csv and $out/vigil-smi.json by hand"
import csv, json, sys
out = sys.argv[1]
smi = {row[1].strip(): [c.strip() for c in row] for row in csv.reader(open(f"{out}/nvidia-smi.csv"))}
vigil = json.load(open(f"{out}/vigil-smi.json"))
lines = ["| GPU | field | nvidia-smi | vigil | agree |", "|---|---|---|---|---|"]
def num(x):
    try: return float(x)
    except ValueError: return None
for gpu in vigil["gpus"]:
    r = gpu["reading"]; uuid = r["identity"]["uuid"]; row = smi.get(uuid)
    if row is None:
        lines.append(f"| {uuid} | uuid | missing | present | no |"); continue
    pairs = [("name", row[2], r["identity"]["name"], 0), ("util %", row[3], r.get("gpuUtilizationPercent"), 10),
             ("memory used MiB", row[4], (r.get("memoryUsedBytes") or 0) / 1048576, 64),
             ("memory total MiB", row[5], (r.get("memoryTotalBytes") or 0) / 1048576, 1),
             ("temp °C", row[6], r.get("gpuTemperatureCelsius"), 2), ("power W", row[7], r.get("powerUsageWatts"), 25),
             ("power limit W", row[8], r.get("enforcedPowerLimitWatts"), 1), ("SM MHz", row[9], r.get("smClockMHz"), 100),
             ("mem MHz", row[10], r.get("memoryClockMHz"), 50), ("pstate", row[11], "P%s" % r.get("performanceState"), 0)]
    for name, theirs, ours, tolerance in pairs:
        a, b = num(theirs), num(ours) if not isinstance(ours, str) else None
        ok = (abs(a - b) <= tolerance) if a is not None and b is not None else str(theirs) == str(ours)
        lines.append(f"| {r['identity']['index']} | {name} | {theirs} | {ours} | {'yes' if ok else 'NO'} |")
open(f"{out}/comparison.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
