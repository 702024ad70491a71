import CNVML
import Synchronization

/// GPU readings from NVML, the library under nvidia-smi and DCGM, opened at run time with `dlopen`.
///
/// Each ``read()`` asks NVML for every field of ``GPUReading`` it offers. A field the GPU or driver
/// doesn't support is nil. A GPU that answers GPU_IS_LOST is reported with ``GPUReading/isLost`` and the
/// identity last read from it while the other GPUs are read as usual. XID errors are counted by a
/// listener thread from the moment the backend is created (``isListeningForXIDs``); call ``shutdown()``
/// on graceful shutdown (deinit does it too) to end that thread.
public final class NVMLBackend: GPUBackend {
    public let name = "nvml"

    private let library: NVMLLibrary
    private let procRoot: String
    private let xidListener: NVMLXIDListener?
    private let state = Mutex(State())

    private struct State: Sendable {
        /// The identity of each GPU index as last read in full, for readings of a GPU gone lost.
        var identities: [Int: GPUIdentity] = [:]
        /// The newest process-utilisation sample timestamp (µs) seen per GPU index.
        var newestUtilizationSample: [Int: UInt64] = [:]
    }

    /// Process utilisation samples are asked for from this long (µs) before the newest one already seen,
    /// so that each read has the latest sample of every busy process even when reads come faster than samples.
    private static let utilizationLookbackMicroseconds: UInt64 = 5_000_000

    /// Opens NVML and, unless told not to, starts counting XID errors.
    ///
    /// - Parameters:
    ///   - libraryPath: libnvidia-ml's path; default `$VIGIL_NVML_LIBRARY`, else `libnvidia-ml.so.1`.
    ///   - procRoot: where the host's /proc is, for attributing GPU processes to users, containers and jobs.
    ///   - listenForXIDs: register for XID events and count them on a thread of this backend.
    ///   - xidWaitMilliseconds: how long the listener blocks in NVML per wait; ``shutdown()`` takes up to this.
    /// - Throws: ``GPUError/Code/unavailable`` without a driver, ``GPUError/Code/unsupported`` for a driver too
    ///   old, ``GPUError/Code/callFailed`` when NVML won't initialise.
    public init(
        libraryPath: String? = nil, procRoot: String = "/proc", listenForXIDs: Bool = true,
        xidWaitMilliseconds: UInt32 = 1000
    ) throws(GPUError) {
        let library = try NVMLLibrary(path: libraryPath)
        self.library = library
        self.procRoot = procRoot
        if listenForXIDs {
            let listener = NVMLXIDListener(
                library: library, devices: Self.devices(library), waitMilliseconds: xidWaitMilliseconds
            )
            self.xidListener = listener?.start() == true ? listener : nil
        } else {
            self.xidListener = nil
        }
    }

    deinit {
        xidListener?.stop()
    }

    /// The library path that was opened.
    public var libraryPath: String { library.path }

    /// Whether XID errors are being counted (some GPU accepted the registration).
    public var isListeningForXIDs: Bool { xidListener != nil }

    /// Stops the XID listener thread, waiting for it (up to the wait timeout). Readings keep the counts so far.
    public func shutdown() {
        xidListener?.stop()
    }

    public func read() throws(GPUError) -> [GPUReading] {
        let nvml = library.functions
        var count: UInt32 = 0
        let status = nvml.deviceCount!(&count)
        guard status == NVML_SUCCESS else {
            throw GPUError(.callFailed, "nvmlDeviceGetCount_v2: \(library.describe(status))")
        }
        let driverVersion = Self.driverVersion(nvml)
        let cudaVersion = Self.cudaVersion(nvml)
        var readings: [GPUReading] = []
        for index in 0..<Int(count) {
            var handle: nvmlDevice_t?
            let status = nvml.deviceByIndex!(UInt32(index), &handle)
            if status == NVML_ERROR_GPU_IS_LOST {
                readings.append(lostReading(index: index, partial: nil))
                continue
            }
            // Other failures (e.g. NO_PERMISSION) mean a GPU this process may not use, as in a container.
            guard status == NVML_SUCCESS, let handle else { continue }
            readings.append(
                readDevice(index: index, handle: handle, driverVersion: driverVersion, cudaVersion: cudaVersion)
            )
        }
        return readings
    }

    // MARK: - One GPU

    private func readDevice(index: Int, handle: nvmlDevice_t, driverVersion: String?, cudaVersion: String?)
        -> GPUReading
    {
        var reader = NVMLDeviceReader(library.functions, device: handle)
        var identity = reader.identity(index: index)
        identity.driverVersion = driverVersion
        identity.cudaVersion = cudaVersion
        var reading = GPUReading(identity: identity)
        reader.measure(into: &reading)
        reading.processes = processes(&reader, index: index)
        if identity.migEnabled == true {
            reading.migInstances = reader.migInstances()
        }
        if reader.isLost {
            return lostReading(index: index, partial: identity)
        }
        state.withLock { $0.identities[index] = identity }
        addXIDs(to: &reading)
        return reading
    }

    /// A lost GPU: the identity last read in full (else what was read now), and the XIDs seen.
    private func lostReading(index: Int, partial: GPUIdentity?) -> GPUReading {
        let known = state.withLock { $0.identities[index] }
        var reading = GPUReading(
            identity: known ?? partial ?? GPUIdentity(index: index, name: "", uuid: "", pciBusID: "")
        )
        reading.isLost = true
        addXIDs(to: &reading)
        return reading
    }

    private func addXIDs(to reading: inout GPUReading) {
        guard let seen = xidListener?.seen(index: reading.identity.index) else { return }
        reading.xidCounts = seen.counts
        reading.lastXID = seen.last ?? 0
    }

    /// Compute and graphics processes (one entry per pid and MIG instance; "compute" when in both lists),
    /// with SM utilisation where NVML samples it and attribution from /proc.
    private func processes(_ reader: inout NVMLDeviceReader, index: Int) -> [GPUProcess] {
        var processes: [GPUProcess] = []
        for (type, compute) in [("compute", true), ("graphics", false)] {
            for running in reader.runningProcesses(compute: compute) ?? [] {
                guard
                    !processes.contains(where: { $0.pid == running.pid && $0.gpuInstanceID == running.gpuInstanceID })
                else { continue }
                var process = GPUProcess(pid: running.pid)
                process.type = type
                process.usedMemoryBytes = running.usedMemoryBytes
                process.gpuInstanceID = running.gpuInstanceID
                processes.append(process)
            }
        }
        guard !processes.isEmpty else { return [] }

        let newestSeen = state.withLock { $0.newestUtilizationSample[index] } ?? 0
        let since =
            newestSeen > Self.utilizationLookbackMicroseconds ? newestSeen - Self.utilizationLookbackMicroseconds : 0
        if let utilization = reader.processSMUtilization(since: since) {
            state.withLock { $0.newestUtilizationSample[index] = max(utilization.newest, newestSeen) }
            for i in processes.indices {
                processes[i].smUtilizationPercent = utilization.byPID[processes[i].pid]
            }
        }
        for i in processes.indices {
            ProcessAttribution.read(pid: processes[i].pid, procRoot: procRoot).apply(to: &processes[i])
        }
        return processes.sorted { ($0.pid, $0.gpuInstanceID ?? -1) < ($1.pid, $1.gpuInstanceID ?? -1) }
    }

    // MARK: - System

    /// Every GPU's handle, for event registration.
    private static func devices(_ library: NVMLLibrary) -> [(index: Int, handle: nvmlDevice_t)] {
        let nvml = library.functions
        var count: UInt32 = 0
        guard nvml.deviceCount!(&count) == NVML_SUCCESS else { return [] }
        return (0..<count).compactMap { index in
            var handle: nvmlDevice_t?
            guard nvml.deviceByIndex!(index, &handle) == NVML_SUCCESS, let handle else { return nil }
            return (Int(index), handle)
        }
    }

    private static func driverVersion(_ nvml: NVMLFunctions) -> String? {
        guard let function = nvml.driverVersion else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(CNVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE))
        let status = buffer.withUnsafeMutableBufferPointer { function($0.baseAddress, UInt32($0.count)) }
        return status == NVML_SUCCESS ? String(nulTerminated: buffer) : nil
    }

    /// NVML's 12040 as "12.4".
    private static func cudaVersion(_ nvml: NVMLFunctions) -> String? {
        guard let function = nvml.cudaDriverVersion else { return nil }
        var version: Int32 = 0
        guard function(&version) == NVML_SUCCESS, version > 0 else { return nil }
        return "\(version / 1000).\(version % 1000 / 10)"
    }
}
