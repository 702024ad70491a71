/// `local_agent:` (Vigil) — the collection of this host and its GPUs that `vigil server` does in-process.
public struct LocalAgentConfig: Sendable, Hashable {
    /// `enabled` (default true; `--no-local-agent` turns it off).
    public var enabled: Bool
    /// `scrape_interval`: how often collectors run (inherits `global.scrape_interval`).
    public var scrapeInterval: Duration
    /// `gpu_backend` (default auto: NVML, else nvidia-smi, else none).
    public var gpuBackend: GPUBackendSetting
    /// `disabled_collectors`: names of host collectors not to run (e.g. `infiniband`, `hwmon`).
    public var disabledCollectors: [String]

    public init(
        enabled: Bool = true, scrapeInterval: Duration = .seconds(60), gpuBackend: GPUBackendSetting = .auto,
        disabledCollectors: [String] = []
    ) {
        self.enabled = enabled
        self.scrapeInterval = scrapeInterval
        self.gpuBackend = gpuBackend
        self.disabledCollectors = disabledCollectors
    }
}

/// `local_agent.gpu_backend`.
public enum GPUBackendSetting: String, Sendable, Hashable, CaseIterable {
    /// NVML when the library loads, else nvidia-smi when it runs, else none.
    case auto
    case nvml
    case nvidiaSMI = "nvidia-smi"
    /// The simulated GPUs of `--demo`.
    case sim
    case none
}
