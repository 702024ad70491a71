import ArgumentParser
import Foundation
import Logging
import VigilGPU
import VigilModel

/// GPU flags shared by `agent` and `smi`.
struct GPUOptions: ParsableArguments {
    @Option(help: "GPU backend: auto (NVML, then nvidia-smi, then none), nvml, nvidia-smi, sim or none.")
    var gpuBackend: GPUBackendChoice = .auto

    @Option(name: .customLong("sim-gpus"), help: "With --gpu-backend sim: how many simulated GPUs (1-32).")
    var simGPUs = 8

    @Option(help: "With --gpu-backend sim: a100, h100, h200 or l40s.")
    var simProfile = "h100"

    @Option(
        help: ArgumentHelp(
            "NVML library to load (default: $VIGIL_NVML_LIBRARY, else libnvidia-ml.so.1).", valueName: "path"))
    var nvmlLibrary: String?

    func validate() throws {
        guard (1...32).contains(simGPUs) else { throw ValidationError("--sim-gpus must be 1 to 32, e.g. --sim-gpus 8") }
        do {
            _ = try GPUProfile.named(simProfile)
        } catch {
            throw ValidationError("--sim-profile: \(error.message)")
        }
    }

    /// The backend, or nil when there is none; the reason a chosen backend can't work is an error.
    /// `procRoot` is the host's /proc (`--procfs`), where NVML's GPU processes are attributed to jobs and pods.
    func makeBackend(logger: Logger, procRoot: String = "/proc") throws -> (any GPUBackend)? {
        let settings = GPUBackendChoice.Settings(
            simGPUs: simGPUs, simProfile: simProfile, simSeed: (["host": Self.hostname] as Labels).stableHash,
            nvmlLibrary: nvmlLibrary, procRoot: procRoot)
        do {
            return try gpuBackend.makeBackend(settings) { note in logger.debug("\(note)") }
        } catch {
            throw GPUBackendFailure(message: "--gpu-backend \(gpuBackend.rawValue): \(error.message)")
        }
    }

    static var hostname: String { ProcessInfo.processInfo.hostName }
}

extension GPUBackendChoice: ExpressibleByArgument {}

/// A GPU backend that was asked for and can't work: printed as is, exit status 1.
struct GPUBackendFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
