/// Which GPU backend to use: `auto` tries NVML, then nvidia-smi, then runs without GPUs.
public enum GPUBackendChoice: String, Sendable, CaseIterable {
    case auto, nvml
    case nvidiaSMI = "nvidia-smi"
    case sim, none

    /// Settings the backends need.
    public struct Settings: Sendable {
        public var simGPUs: Int
        public var simProfile: String
        public var simSeed: UInt64
        /// NVML library path; nil: `$VIGIL_NVML_LIBRARY`, else `libnvidia-ml.so.1`.
        public var nvmlLibrary: String?
        /// The host's /proc, where NVML's GPU processes are attributed (cgroup: Slurm job, pod, container).
        public var procRoot: String

        public init(
            simGPUs: Int = 8, simProfile: String = "h100", simSeed: UInt64 = 1, nvmlLibrary: String? = nil,
            procRoot: String = "/proc"
        ) {
            self.simGPUs = simGPUs
            self.simProfile = simProfile
            self.simSeed = simSeed
            self.nvmlLibrary = nvmlLibrary
            self.procRoot = procRoot
        }
    }

    /// The backend, or nil for `none` (and for `auto` on a machine without NVIDIA drivers).
    ///
    /// An explicit choice that can't work throws (with the reason); `auto` only throws when a driver is
    /// there but broken, since silently showing no GPUs would hide exactly the problem to see.
    /// `notes` receives what auto-detection tried, for the log.
    public func makeBackend(_ settings: Settings, notes: (String) -> Void = { _ in }) throws(GPUError) -> (
        any GPUBackend
    )? {
        switch self {
        case .none:
            return nil
        case .sim:
            return try SimulatedBackend(
                gpus: settings.simGPUs, profile: GPUProfile.named(settings.simProfile), seed: settings.simSeed)
        case .nvml:
            return try NVMLBackend(libraryPath: settings.nvmlLibrary, procRoot: settings.procRoot)
        case .nvidiaSMI:
            let backend = NvidiaSMIBackend()
            _ = try backend.resolvedExecutable()
            return backend
        case .auto:
            do {
                return try NVMLBackend(libraryPath: settings.nvmlLibrary, procRoot: settings.procRoot)
            } catch  where error.code == .unavailable {
                notes("NVML not available: \(error.message)")
            }
            let smi = NvidiaSMIBackend()
            do {
                _ = try smi.resolvedExecutable()
                return smi
            } catch {
                notes("nvidia-smi not available: \(error.message)")
            }
            return nil
        }
    }
}
