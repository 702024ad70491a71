/// The alerting rules `vigil server` loads unless it runs with `--no-builtin-rules`: what an operator of a
/// GPU cluster needs on day one (GPU heat, throttling, XIDs by class, ECC and row remapping, lost GPUs,
/// NVLink and PCIe health, unreachable targets, disks, network, InfiniBand, memory pressure, jobs and
/// schedulers (failing and drained Slurm nodes, allocated but idle GPUs, a queue that grows beside idle
/// GPUs, a slow or stuck slurmctld, crash-looping and OOM-killed pods) and a Watchdog), in Prometheus
/// rule-file format.
///
/// The pack is held in memory, so there is no resource bundle to lose; docs/rules.md lists every rule,
/// and `Tests/VigilRulesTests/RulePack/vigil-gpu-cluster.rules_test.yml` unit-tests each one with
/// `promtool test rules` and `vigil test rules`. To change a threshold, write ``gpuCluster`` to a file,
/// edit it, load it through `rule_files:` and turn the built-in pack off.
public enum BuiltinRulePack {
    /// The name the pack goes by in logs, rule-group listings and unit-test files (`rule_files:`).
    public static let gpuClusterFileName = "vigil-gpu-cluster.rules.yml"

    /// The rule file, verbatim (YAML that Prometheus 2.42 and later also accept).
    public static let gpuCluster: String = #"""
        # Vigil's built-in GPU-cluster alerting rules (vigil-gpu-cluster.rules.yml).
        #
        # `vigil server` loads this pack by default; `--no-builtin-rules` turns it off. To change a threshold,
        # copy this file, edit it, load the copy through `rule_files:` and start the server with
        # `--no-builtin-rules`. docs/rules.md lists every rule, its threshold and its runbook.
        #
        # Metric names are the ones Vigil's agent exposes: dcgm-exporter's DCGM_FI_* names and labels (gpu, UUID,
        # pci_bus_id, device, modelName, Hostname), Vigil's additions (vigil_gpu_xid_errors_total{xid},
        # vigil_gpu_clock_event_reason{reason}, vigil_gpu_lost) and node_exporter's host names.
        # Severity: page (wake someone), ticket (fix in working hours), info (dashboards and heartbeats).
        #
        # The host, disk and network rules adapt rules from awesome-prometheus-alerts
        # (https://github.com/samber/awesome-prometheus-alerts) by Samuel Berthe and contributors,
        # licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); changed: names, thresholds,
        # hysteresis, labels and annotations. Every rule here is unit-tested in
        # Tests/VigilRulesTests/RulePack/vigil-gpu-cluster.rules_test.yml (promtool test rules format).
        groups:
          - name: vigil-gpu
            interval: 30s
            rules:
              # Hysteresis: starts above 85 °C, keeps firing while above 80 °C if it was above 85 °C in the last 15m.
              - alert: GPUTemperatureHigh
                expr: DCGM_FI_DEV_GPU_TEMP > 80 and max_over_time(DCGM_FI_DEV_GPU_TEMP[15m]) > 85
                for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is at {{ $value | humanize }}°C"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} has been above 85°C for 5 minutes and is at {{ $value | humanize }}°C now; the alert clears below 80°C."
                  runbook: "Check the node's airflow, fans and inlet temperature (vigil smi, BMC sensors) and whether other GPUs in the chassis run hot too; if only this GPU does, reseat or service it at the next drain."
              - alert: GPUMemoryTemperatureHigh
                # Old dcgm-exporters reported the blank sentinel 9223372036854775794 when HBM temperature is unsupported.
                expr: DCGM_FI_DEV_MEMORY_TEMP > 95 and DCGM_FI_DEV_MEMORY_TEMP < 1000
                for: 5m
                keep_firing_for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has its memory (HBM) at {{ $value | humanize }}°C"
                  description: "The memory of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} has been above 95°C for 5 minutes and is at {{ $value | humanize }}°C; hot HBM raises ECC error rates."
                  runbook: "Check the node's cooling as for a hot GPU; watch the GPU's ECC counters and drain the node if single-bit errors climb."
              - alert: GPUThermalThrottling
                expr: avg_over_time(vigil_gpu_clock_event_reason{reason=~"sw_thermal_slowdown|hw_thermal_slowdown"}[10m]) > 0.25
                for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is throttled by {{ $labels.reason }} {{ $value | humanizePercentage }} of the time"
                  description: "Clocks of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} were lowered by {{ $labels.reason }} {{ $value | humanizePercentage }} of the last 10 minutes (threshold 25%); jobs on it run slower and slow down every rank they synchronise with."
                  runbook: "Look at GPU and inlet temperatures of the node; fix airflow or fans, or drain the node if cooling has failed. hw_thermal_slowdown means the GPU reached its hardware slowdown temperature."
              - alert: GPUHardwareSlowdown
                expr: avg_over_time(vigil_gpu_clock_event_reason{reason=~"hw_slowdown|hw_power_brake_slowdown"}[10m]) > 0.25
                for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is slowed down by hardware ({{ $labels.reason }}) {{ $value | humanizePercentage }} of the time"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} had {{ $labels.reason }} active {{ $value | humanizePercentage }} of the last 10 minutes (threshold 25%)."
                  runbook: "hw_power_brake_slowdown is an external power-brake signal: check the node's power supplies and the rack's power budget. hw_slowdown without a thermal reason points at power delivery; check PSUs and BMC logs."
              - alert: GPUPowerCapThrottling
                expr: avg_over_time(vigil_gpu_clock_event_reason{reason="sw_power_cap"}[15m]) > 0.5
                for: 15m
                labels:
                  severity: info
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is held at its power cap {{ $value | humanizePercentage }} of the time"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} had sw_power_cap active {{ $value | humanizePercentage }} of the last 15 minutes (threshold 50%); its clocks are limited by the power limit, not by the work."
                  runbook: "Compare DCGM_FI_DEV_POWER_MGMT_LIMIT with the board's default limit; if someone lowered it (nvidia-smi -pl, a facility cap), restore it when the power budget allows. Under full load at the default limit this is expected."
              - alert: GPUXidApplicationError
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid=~"13|31|43|68|69|94|109"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid=~"13|31|43|68|69|94|109"} unless vigil_gpu_xid_errors_total{xid=~"13|31|43|68|69|94|109"} offset 1h)
                labels:
                  severity: ticket
                annotations:
                  summary: "XID {{ $labels.xid }} (application error) on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: {{ $value | humanize }} in the last hour"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour. XIDs 13, 31, 43, 68, 69, 94 and 109 are usually caused by the application (illegal access, page fault, engine exception) or, for 94, a contained ECC error."
                  runbook: "Tell the job's owner: check the application, its inputs and its CUDA version and restart it (XID 13, 31, 43, 68, 69, 109). For XID 94 restart the application and watch the GPU's ECC counters. If the same GPU repeats it across different jobs, drain it and run dcgmi diag -r 3."
              - alert: GPUXidResetRequired
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid=~"8|38|48|56|61|62|95|120|140"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid=~"8|38|48|56|61|62|95|120|140"} unless vigil_gpu_xid_errors_total{xid=~"8|38|48|56|61|62|95|120|140"} offset 1h)
                labels:
                  severity: page
                annotations:
                  summary: "XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: the GPU needs a reset"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour. NVIDIA's XID catalogue says to reset the GPU after XIDs 8 (GPU stopped processing), 38 (driver firmware), 48 (double-bit ECC), 56 (display engine), 61/62 (micro-controller), 95 (uncontained ECC), 120 (GSP) and 140 (unrecovered ECC)."
                  runbook: "Drain the GPU's jobs (scontrol update nodename=<node> state=drain, or cordon), reset it with nvidia-smi -r -i <gpu>, run dcgmi diag -r 2 and return the node to service; if the XID comes back after the reset, reboot the node, and if it persists open an RMA."
              - alert: GPUXidRebootRequired
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid=~"32|79|119|121"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid=~"32|79|119|121"} unless vigil_gpu_xid_errors_total{xid=~"32|79|119|121"} offset 1h)
                labels:
                  severity: page
                annotations:
                  summary: "XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: the node needs a reboot"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour. NVIDIA's XID catalogue says to drain and reboot the node after XIDs 32 (corrupted push buffer, often PCIe), 79 (GPU fallen off the bus), 119 (GSP RPC timeout) and 121 (C2C link error)."
                  runbook: "Drain the node, collect nvidia-bug-report.sh, then reboot it (a GPU reset does not recover these); run dcgmi diag -r 3 before returning it. If the XID repeats after the reboot, check PCIe seating, risers and power, and open an RMA."
              - alert: GPUXidHardwareFault
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid=~"54|57|64|74|143"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid=~"54|57|64|74|143"} unless vigil_gpu_xid_errors_total{xid=~"54|57|64|74|143"} offset 1h)
                labels:
                  severity: page
                annotations:
                  summary: "XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: hardware fault"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour: 54 (auxiliary power not connected), 57 (video memory interface), 64 (row remapping failed), 74 (NVLink error) or 143 (GPU initialisation failure)."
                  runbook: "Drain the node. XID 54: check the GPU's power cables. XID 74: check NVLink/NVSwitch health (nvidia-smi nvlink -s, fabric manager logs) and reset the GPUs of the NVLink domain. XID 57, 64, 143: run dcgmi diag -r 3 and open an RMA with the vendor."
              - alert: GPUXidHardwareWarning
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid=~"63|92|93"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid=~"63|92|93"} unless vigil_gpu_xid_errors_total{xid=~"63|92|93"} offset 1h)
                labels:
                  severity: ticket
                annotations:
                  summary: "XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: memory health warning"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour: 63 (ECC page retirement or row remap recorded), 92 (high single-bit ECC rate) or 93 (InfoROM wear limit)."
                  runbook: "XID 63: reset the GPU at its next drain so the remap takes effect. XID 92: watch the single-bit ECC rate and plan an RMA if it stays high. XID 93: open a ticket with the vendor."
              - alert: GPUXidUnclassified
                expr: |
                  round(increase(vigil_gpu_xid_errors_total{xid!~"8|13|31|32|38|43|45|48|54|56|57|61|62|63|64|68|69|74|79|92|93|94|95|109|119|120|121|140|143"}[1h])) > 0
                  or (vigil_gpu_xid_errors_total{xid!~"8|13|31|32|38|43|45|48|54|56|57|61|62|63|64|68|69|74|79|92|93|94|95|109|119|120|121|140|143"} unless vigil_gpu_xid_errors_total offset 1h)
                labels:
                  severity: ticket
                annotations:
                  summary: "XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: not in Vigil's XID catalogue"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} reported XID {{ $labels.xid }} {{ $value | humanize }} time(s) in the last hour; Vigil has no class for this code (XID 45, cleanup after another error, is ignored)."
                  runbook: "Look the code up in NVIDIA's XID catalogue (docs.nvidia.com/deploy/xid-errors) and in the node's kernel log (dmesg | grep -i xid); act as it says, and add the code to this pack's classes."
              - alert: GPUDoubleBitECCError
                expr: round(increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[1h])) > 0
                labels:
                  severity: page
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} had {{ $value | humanize }} uncorrectable (double-bit) ECC error(s) in the last hour"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} counted {{ $value | humanize }} double-bit ECC error(s) in the last hour; the job that used the memory was killed and a row remap waits for a GPU reset."
                  runbook: "Drain the GPU, reset it (nvidia-smi -r -i <gpu>) so the pending row remap is applied, then check DCGM_FI_DEV_ROW_REMAP_FAILURE and run dcgmi diag -r 3; if the errors come back, open an RMA."
              - alert: GPUSingleBitECCStorm
                expr: rate(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL[15m]) * 3600 > 1000
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} corrects {{ $value | humanize }} single-bit ECC errors an hour"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} has been correcting {{ $value | humanize }} single-bit ECC errors per hour for 15 minutes (threshold 1000/h); a memory cell is degrading and double-bit errors often follow."
                  runbook: "Plan a drain: reset the GPU so pending row remaps are applied, run dcgmi diag -r 3, and open an RMA if the rate stays high after the reset."
              - alert: GPURowRemapPending
                expr: DCGM_FI_DEV_ROW_REMAP_PENDING > 0
                for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has a row remap waiting for a GPU reset"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} remapped a memory row after an ECC error; the remap only takes effect after the GPU is reset."
                  runbook: "At the next opportunity drain the GPU and reset it with nvidia-smi -r -i <gpu> (or reboot the node); the pending flag clears after the reset."
              - alert: GPURowRemapFailure
                expr: DCGM_FI_DEV_ROW_REMAP_FAILURE > 0
                labels:
                  severity: page
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} failed to remap a memory row: the GPU needs service"
                  description: "Row remapping failed on GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }}: the GPU has no spare rows left for the failing memory and will keep producing uncorrectable errors."
                  runbook: "Drain the node and take the GPU out of service; run dcgmi diag -r 3, collect nvidia-bug-report.sh and open an RMA with the GPU's serial number."
              - alert: GPULost
                expr: vigil_gpu_lost == 1
                for: 1m
                labels:
                  severity: page
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} stopped answering (fallen off the bus)"
                  description: "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} has not answered the driver for a minute (NVML GPU_IS_LOST, usually with XID 79); its jobs are dead."
                  runbook: "Drain the node and reboot it (a lost GPU cannot be reset in place); check PCIe seating, power cables and temperatures in the BMC log. If the GPU falls off again, open an RMA."
              - alert: GPUCountDropped
                expr: count by (Hostname) (DCGM_FI_DEV_GPU_TEMP) < max_over_time(count by (Hostname) (DCGM_FI_DEV_GPU_TEMP)[1d:5m])
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.Hostname }} reports {{ $value | humanize }} GPUs, fewer than it had in the last day"
                  description: "{{ $labels.Hostname }} has reported only {{ $value | humanize }} GPUs for 5 minutes, fewer than the most it reported in the last 24 hours: a GPU fell off the bus, the driver lost it, or it was removed."
                  runbook: "Run nvidia-smi on the node and look for XID 79 in the kernel log; drain and reboot the node. If the GPU stays missing, check PCIe seating and power and open an RMA. After a planned removal, this alert clears within a day."
              - alert: GPUNVLinkErrors
                expr: rate(DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL[10m]) > 1
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "NVLink CRC errors on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: {{ $value | humanize }} per second"
                  description: "The NVLinks of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} have counted {{ $value | humanize }} CRC flit errors per second for 10 minutes (threshold 1/s); each one costs a replay, and a failing link ends in XID 74."
                  runbook: "Check the links with nvidia-smi nvlink -e -i <gpu> and the fabric manager log; drain the node and reset the GPUs of its NVLink domain, and reseat or replace the NVLink bridge or baseboard if the errors return."
              - alert: GPUPCIeReplayStorm
                expr: rate(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[10m]) > 1
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "PCIe replays on GPU {{ $labels.gpu }} of {{ $labels.Hostname }}: {{ $value | humanize }} per second"
                  description: "The PCIe link of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} has retried {{ $value | humanize }} transfers per second for 10 minutes (threshold 1/s): a marginal slot, riser or cable."
                  runbook: "Drain the node at the next opportunity and reseat the GPU, riser and PCIe cables; check the slot's link with lspci -vv. If replays continue, move the GPU to another slot to tell the GPU from the board."
              - alert: GPUPCIeLinkWidthDegraded
                expr: DCGM_FI_DEV_PCIE_LINK_WIDTH < on (modelName) group_left () max by (modelName) (DCGM_FI_DEV_PCIE_LINK_WIDTH)
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs its PCIe link at x{{ $value | humanize }}, narrower than other {{ $labels.modelName }} GPUs"
                  description: "The PCIe link of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} trained at x{{ $value | humanize }} lanes, fewer than the widest link of the same GPU model in the fleet; host-device transfers are slower."
                  runbook: "Drain the node and reseat the GPU and its riser or cables; compare LnkCap and LnkSta in lspci -vv. A link that trains narrow again points at the slot or the board."
              - alert: GPUPCIeLinkGenDegraded
                # Idle GPUs lower their link generation to save power: only a GPU in P0 is compared.
                expr: (DCGM_FI_DEV_PCIE_LINK_GEN < on (modelName) group_left () max by (modelName) (DCGM_FI_DEV_PCIE_LINK_GEN)) and DCGM_FI_DEV_PSTATE == 0
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs its PCIe link at gen {{ $value | humanize }} under load, slower than other {{ $labels.modelName }} GPUs"
                  description: "The PCIe link of GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.pci_bus_id }}) on {{ $labels.Hostname }} has stayed at generation {{ $value | humanize }} in P0 for 15 minutes, below the fastest link of the same GPU model in the fleet."
                  runbook: "Check the slot with lspci -vv (LnkCap against LnkSta) and the BIOS PCIe settings; drain the node and reseat the GPU and riser. A link that keeps training down points at the slot, riser or cable."
          - name: vigil-node
            interval: 30s
            rules:
              - alert: TargetDown
                expr: up == 0
                for: 3m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.job }} target {{ $labels.instance }} is unreachable"
                  description: "Scrapes of {{ $labels.instance }} (job {{ $labels.job }}) have failed for 3 minutes: the node is down, its agent or exporter stopped, or the network between it and the server fails. Its GPUs and host are not monitored meanwhile."
                  runbook: "Check that the node is up (ping, BMC) and that its agent runs (systemctl status vigil-agent; curl http://<instance>/metrics); the scrape error is on the server's /targets page. Restart the agent or the node."
              - alert: TargetVanished
                expr: group by (job, instance) (max_over_time(up[1h])) unless group by (job, instance) (up)
                for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "{{ $labels.job }} target {{ $labels.instance }} disappeared from service discovery"
                  description: "{{ $labels.instance }} (job {{ $labels.job }}) was scraped in the last hour but is no longer a target: it left the Slurm node list, the file service discovery or the configuration."
                  runbook: "If the node was retired on purpose, ignore this (it clears an hour later); otherwise find out why discovery dropped it (sinfo, the file_sd file, the server's /targets page) and add it back."
              - alert: NodeFilesystemAlmostFull
                expr: node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|fuse.*|nfs.*|cifs|overlay|squashfs"} / node_filesystem_size_bytes < 0.10 and node_filesystem_readonly == 0
                for: 5m
                keep_firing_for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left"
                  description: "The filesystem {{ $labels.mountpoint }} ({{ $labels.device }}, {{ $labels.fstype }}) on {{ $labels.instance }} has had less than 10% of its space available for 5 minutes; {{ $value | humanizePercentage }} is left."
                  runbook: "Find what grew (du -xh --max-depth=2 {{ $labels.mountpoint }}): old checkpoints, container images, logs or core dumps; clean up or grow the filesystem before jobs fail to write."
              - alert: NodeFilesystemFillingFast
                expr: predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|fuse.*|nfs.*|cifs|overlay|squashfs"}[1h], 4 * 3600) < 0 and node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.25 and node_filesystem_readonly == 0
                for: 15m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} will be full within 4 hours"
                  description: "At the rate of the last hour the filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} runs out of space within 4 hours (predicted available space in 4h: {{ $value | humanize1024 }}B) and less than 25% is left."
                  runbook: "Find the writer (iotop -o, du on the growing directories): a job writing checkpoints or logs too often, a core-dump loop, a stuck log rotation. Stop or throttle it, then free space."
              - alert: NodeDiskIOSaturated
                expr: rate(node_disk_io_time_seconds_total[5m]) > 0.9
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "Disk {{ $labels.device }} on {{ $labels.instance }} is busy {{ $value | humanizePercentage }} of the time"
                  description: "Disk {{ $labels.device }} on {{ $labels.instance }} has had I/O in flight {{ $value | humanizePercentage }} of the time for 15 minutes (threshold 90%); data loading and checkpoints on it queue up."
                  runbook: "Find the processes doing I/O (iotop -o, pidstat -d) and the jobs they belong to; spread data loading, move scratch data to local NVMe, or stage datasets ahead of the job."
              - alert: NodeDiskLatencyHigh
                expr: |
                  (rate(node_disk_read_time_seconds_total[5m]) + rate(node_disk_write_time_seconds_total[5m]))
                    / (rate(node_disk_reads_completed_total[5m]) + rate(node_disk_writes_completed_total[5m]) > 0)
                    > 0.1
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Disk {{ $labels.device }} on {{ $labels.instance }} takes {{ $value | humanizeDuration }} per I/O"
                  description: "I/O requests on disk {{ $labels.device }} of {{ $labels.instance }} have averaged {{ $value | humanizeDuration }} for 10 minutes (threshold 100ms); the disk is overloaded or failing."
                  runbook: "Check the disk's health (smartctl -a, nvme smart-log) and kernel log for I/O errors; if it is healthy, reduce the load on it as for a saturated disk."
              - alert: NodeNetworkErrors
                expr: |
                  (rate(node_network_receive_errs_total[5m]) + rate(node_network_transmit_errs_total[5m]))
                    / (rate(node_network_receive_packets_total[5m]) + rate(node_network_transmit_packets_total[5m]) > 0)
                    > 0.01
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Interface {{ $labels.device }} on {{ $labels.instance }} has errors on {{ $value | humanizePercentage }} of its packets"
                  description: "Interface {{ $labels.device }} on {{ $labels.instance }} has seen receive and transmit errors on {{ $value | humanizePercentage }} of its packets for 10 minutes (threshold 1%)."
                  runbook: "Check the link (ethtool -S {{ $labels.device }}, ip -s link) and the switch port's counters; replace the cable or transceiver if CRC errors grow."
              - alert: NodeNetworkDrops
                expr: |
                  (rate(node_network_receive_drop_total[5m]) + rate(node_network_transmit_drop_total[5m]))
                    / (rate(node_network_receive_packets_total[5m]) + rate(node_network_transmit_packets_total[5m]) > 0)
                    > 0.01
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Interface {{ $labels.device }} on {{ $labels.instance }} drops {{ $value | humanizePercentage }} of its packets"
                  description: "Interface {{ $labels.device }} on {{ $labels.instance }} has dropped {{ $value | humanizePercentage }} of its packets for 10 minutes (threshold 1%): ring buffers overflow or the host cannot keep up."
                  runbook: "Check ethtool -S {{ $labels.device }} for rx_missed/no_buffer counters; enlarge the ring buffers (ethtool -G), spread interrupts (irqbalance), or find the traffic burst."
              - alert: InfiniBandLinkDown
                # State 4 is ACTIVE (5 ACT_DEFER): a port that was active in the last day and no longer is.
                expr: node_infiniband_state_id < 4 and max_over_time(node_infiniband_state_id[1d]) >= 4
                for: 2m
                labels:
                  severity: page
                annotations:
                  summary: "InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} is down"
                  description: "Port {{ $labels.port }} of {{ $labels.device }} on {{ $labels.instance }} has been out of the ACTIVE state (state {{ $value | humanize }}) for 2 minutes after being active in the last day; collectives that span this node stall or fail."
                  runbook: "Drain the node from multi-node jobs; check ibstat {{ $labels.device }}, the cable and the switch port (physical state), and the subnet manager's log. Reseat or replace the cable or transceiver."
              - alert: InfiniBandLinkFlapping
                expr: round(increase(node_infiniband_link_downed_total[1h])) >= 3
                labels:
                  severity: ticket
                annotations:
                  summary: "InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} went down {{ $value | humanize }} times in an hour"
                  description: "Port {{ $labels.port }} of {{ $labels.device }} on {{ $labels.instance }} lost its link {{ $value | humanize }} times in the last hour (threshold 3); each loss stalls the collectives running over it."
                  runbook: "Check the cable and transceiver (mlxlink -d {{ $labels.device }} -m for signal quality) and the switch port; replace the cable if the link keeps flapping."
              - alert: InfiniBandPortErrors
                expr: increase(node_infiniband_port_errors_received_total[10m]) > 60 or increase(node_infiniband_symbol_error_total[10m]) > 600
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} counted {{ $value | humanize }} errors in 10 minutes"
                  description: "Port {{ $labels.port }} of {{ $labels.device }} on {{ $labels.instance }} has counted {{ $value | humanize }} receive or symbol errors per 10 minutes for 10 minutes (thresholds: 60 receive errors, 600 symbol errors): the link is marginal."
                  runbook: "Check the link's signal quality (mlxlink -d {{ $labels.device }} -m -c), clean or replace the cable and transceiver, and check the same counters on the switch side."
              - alert: InfiniBandCongestion
                # port_xmit_wait counts ticks with data to send and no credit to send it: waits per packet sent.
                expr: rate(node_infiniband_port_transmit_wait_total[10m]) / (rate(node_infiniband_port_packets_transmitted_total[10m]) > 0) > 1
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} waits {{ $value | humanize }} ticks per packet sent"
                  description: "Port {{ $labels.port }} of {{ $labels.device }} on {{ $labels.instance }} has waited for credits {{ $value | humanize }} ticks per transmitted packet for 15 minutes (threshold 1): the fabric downstream is congested."
                  runbook: "Find the congested switch ports (ibqueryerrors, UFM) and the jobs sharing them; check adaptive routing and the job placement's topology, and look for a slow receiver (a node with errors or a throttled GPU)."
              - alert: NodeMemoryPressure
                expr: rate(node_pressure_memory_stalled_seconds_total[5m]) > 0.1
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "{{ $labels.instance }} stalls on memory {{ $value | humanizePercentage }} of the time"
                  description: "All non-idle tasks on {{ $labels.instance }} were stalled waiting for memory {{ $value | humanizePercentage }} of the time for 10 minutes (PSI memory full, threshold 10%): the node is reclaiming or swapping and its jobs crawl."
                  runbook: "Find the largest processes (ps aux --sort=-rss | head) and their jobs; lower data-loader workers or pinned memory, or set memory limits for the job in Slurm or Kubernetes."
              - alert: NodeMemoryAvailableLow
                expr: node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.05
                for: 5m
                keep_firing_for: 5m
                labels:
                  severity: ticket
                annotations:
                  summary: "{{ $labels.instance }} has {{ $value | humanizePercentage }} of its memory available"
                  description: "{{ $labels.instance }} has had less than 5% of its memory available for 5 minutes ({{ $value | humanizePercentage }} now); the OOM killer is next."
                  runbook: "Find the largest processes (ps aux --sort=-rss | head) and their jobs; stop the runaway one or set memory limits for the job."
          - name: vigil-jobs
            interval: 30s
            rules:
              # slurm_node_jobs_finished counts the finished jobs Slurm still lists (the sacct window, 1h by default).
              - alert: SlurmNodeFailingJobs
                expr: sum by (node) (slurm_node_jobs_finished{outcome=~"failed|node_fail|boot_fail"}) >= 5 and sum by (node) (slurm_node_jobs_finished{outcome=~"failed|node_fail|boot_fail"}) / sum by (node) (slurm_node_jobs_finished) > 0.5
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Slurm node {{ $labels.node }} failed {{ $value | humanize }} of its recent jobs"
                  description: "{{ $value | humanize }} of the finished jobs Slurm still lists ended failed, node_fail or boot_fail on {{ $labels.node }}, more than half of the jobs it ran, for 10 minutes: a node that fails job after job keeps taking new jobs from the queue and failing them."
                  runbook: "Drain it (scontrol update nodename={{ $labels.node }} state=drain reason='failing jobs'), then check its GPUs (XIDs, ECC, lost GPUs), InfiniBand ports and slurmd log (journalctl -u slurmd) and the failed jobs' output; resume it once a test job passes."
              - alert: GPUAllocatedButIdle
                expr: group by (Hostname, gpu, job_id, user, account, partition) (vigil_gpu_job_info{job_id!=""}) * on (Hostname, gpu) group_left () max by (Hostname, gpu) (max_over_time(DCGM_FI_DEV_GPU_UTIL[5m]) <= 5)
                for: 30m
                labels:
                  severity: ticket
                annotations:
                  summary: "Job {{ $labels.job_id }} of {{ $labels.user }} holds GPU {{ $labels.gpu }} on {{ $labels.Hostname }} without using it"
                  description: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is allocated to Slurm job {{ $labels.job_id }} (user {{ $labels.user }}, account {{ $labels.account }}, partition {{ $labels.partition }}) and has stayed at or below 5% utilisation for more than 30 minutes ({{ $value | humanize }}% at most in the last 5): paid for and not used, while other jobs may wait."
                  runbook: "Look at the job (vigil jobs report {{ $labels.job_id }}; scontrol show job {{ $labels.job_id }}): if only some of its GPUs work, ask its user to request fewer; end an idle notebook or a hung job (scancel) or give such jobs a shorter time limit."
              - alert: KubePodGPUAllocatedButIdle
                expr: group by (Hostname, gpu, namespace, pod) (vigil_gpu_job_info{job_id="", pod!=""}) * on (Hostname, gpu) group_left () max by (Hostname, gpu) (max_over_time(DCGM_FI_DEV_GPU_UTIL[5m]) <= 5)
                for: 30m
                labels:
                  severity: ticket
                annotations:
                  summary: "Pod {{ $labels.namespace }}/{{ $labels.pod }} holds GPU {{ $labels.gpu }} on {{ $labels.Hostname }} without using it"
                  description: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is held by Kubernetes pod {{ $labels.namespace }}/{{ $labels.pod }} and has stayed at or below 5% utilisation for more than 30 minutes ({{ $value | humanize }}% at most in the last 5): an nvidia.com/gpu that no other pod can be scheduled on."
                  runbook: "Look at the pod (vigil jobs report {{ $labels.namespace }}/{{ $labels.pod }}; kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }}): scale an idle inference deployment down, lower its nvidia.com/gpu request, or share the GPU (MIG, time-slicing)."
              - alert: SlurmQueueGrowingWhileGPUsIdle
                expr: (sum by (partition) (slurm_partition_jobs_pending) > 0 and sum by (partition) (delta(slurm_partition_jobs_pending[30m])) > 0) and on () (sum(slurm_gpus_idle) / sum(slurm_gpus_total) > 0.1)
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "{{ $value | humanize }} jobs wait in Slurm partition {{ $labels.partition }} while GPUs sit idle"
                  description: "The queue of partition {{ $labels.partition }} grew over the last 30 minutes to {{ $value | humanize }} pending jobs while more than 10% of the cluster's GPUs were idle on available nodes, for 15 minutes: the waiting jobs cannot use the free GPUs (limits, fragmentation, constraints, a reservation) or the scheduler does not place them."
                  runbook: "See why the jobs wait (squeue -p {{ $labels.partition }} -t PD -o '%i %u %r %b'): QOSMax* or Assoc* reasons are policy; Resources with idle GPUs means the free GPUs are on other partitions' nodes or split across nodes. Check the scheduler (sdiag) and the partition's nodes (sinfo -p {{ $labels.partition }})."
              - alert: SlurmNodeDrainedOrDown
                expr: slurm_node_status{status=~"drained|draining|down|fail|failing"} == 1
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Slurm node {{ $labels.node }} is {{ $labels.status }}: {{ $labels.reason }}"
                  description: "Slurm has had {{ $labels.node }} {{ $labels.status }} for 10 minutes with the reason '{{ $labels.reason }}'; its GPUs take no new jobs."
                  runbook: "Read the reason (sinfo -R), fix what it names (a failed health check, hardware, a reboot that did not come back), then scontrol update nodename={{ $labels.node }} state=resume. A node down and not responding needs the machine and its slurmd checked first."
              - alert: KubePodCrashLooping
                expr: max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1
                for: 15m
                labels:
                  severity: ticket
                annotations:
                  summary: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping"
                  description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes: it starts, exits and is restarted after ever longer delays."
                  runbook: "Read why it exits: kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous, and kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }} (last state, exit code, events); fix the image, command, configuration or the dependency it waits for."
              - alert: KubeContainerOOMKilled
                expr: increase(kube_pod_container_status_restarts_total[15m]) > 0 and on (namespace, pod, container) kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1
                labels:
                  severity: ticket
                annotations:
                  summary: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was OOM-killed"
                  description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted in the last 15 minutes and its last termination was OOMKilled: it needs more memory than its limit."
                  runbook: "Compare its memory use with its limit (kubectl -n {{ $labels.namespace }} top pod {{ $labels.pod }}; kubectl describe pod); raise the limit or shrink the working set (batch size, model shards, caches). Inference servers' host memory grows with every model they load."
              - alert: SlurmSchedulerCycleSlow
                expr: avg_over_time(slurm_scheduler_last_cycle[10m]) / 1e6 > 4 * avg_over_time(slurm_scheduler_last_cycle[6h]) / 1e6 and avg_over_time(slurm_scheduler_last_cycle[10m]) / 1e6 > 0.5
                for: 10m
                labels:
                  severity: ticket
                annotations:
                  summary: "Slurm's main scheduling cycle on {{ $labels.instance }} takes {{ $value | humanizeDuration }}"
                  description: "The main scheduler's cycles on {{ $labels.instance }} averaged {{ $value | humanizeDuration }} over 10 minutes, more than four times their 6-hour average and above 0.5s, for 10 minutes: slurmctld is overloaded (an RPC storm, a huge queue, a slow slurmdbd or state save) and jobs start late."
                  runbook: "Run sdiag: look at the RPCs by type and by user (a script polling squeue in a loop), the agent and DBD queues and the queue length; throttle the offending client (max_rpc_cnt, rate limiting), and check slurmdbd and the storage of StateSaveLocation."
              - alert: SlurmSchedulerStuck
                expr: increase(slurm_scheduler_cycles_total[15m]) == 0 and slurm_queue_pending > 0
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "Slurm's scheduler on {{ $labels.instance }} has made no progress for 15 minutes while jobs wait"
                  description: "sdiag's count of main scheduling cycles on {{ $labels.instance }} has not moved for 15 minutes while jobs are pending: slurmctld is hung, deadlocked, or stuck on slurmdbd or its state storage, and no job starts."
                  runbook: "Check slurmctld (scontrol ping; systemctl status slurmctld; its log), the storage of StateSaveLocation and slurmdbd; sdiag's agent queue and server threads show a backlog. Restart slurmctld if it does not recover: running jobs keep running."
          - name: vigil-meta
            interval: 1m
            rules:
              - alert: Watchdog
                expr: vector(1)
                labels:
                  severity: info
                annotations:
                  summary: "Vigil's alerting pipeline is running"
                  description: "This alert always fires. Route it to a dead man's switch (a heartbeat receiver) that raises an alarm when the alert stops arriving."
                  runbook: "If the heartbeat receiver reports this alert missing, check that vigil server runs, evaluates rules and reaches its notifier or Alertmanager."

        """#
}
