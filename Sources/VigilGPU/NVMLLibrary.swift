import CNVML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// libnvidia-ml, opened with `dlopen`, its functions resolved with `dlsym` and NVML initialised.
///
/// Functions this driver lacks are nil in ``functions`` and the fields they fill are simply absent;
/// only the few without which nothing can be read are required. `nvmlInit_v2` is called once here and
/// `nvmlShutdown` once in `deinit` (NVML counts initialisations, so other users in the process are
/// unaffected). NVML is thread-safe, so one library serves the collector and the XID listener at once.
final class NVMLLibrary: @unchecked Sendable {
    // @unchecked: everything stored is immutable after init and NVML itself is thread-safe.

    /// The driver's versioned soname, found through the dynamic linker's search path.
    static let defaultPath = "libnvidia-ml.so.1"
    /// Names another library path, e.g. a driver installed outside the linker's search path.
    static let pathEnvironmentVariable = "VIGIL_NVML_LIBRARY"

    /// The path that was opened.
    let path: String
    let functions: NVMLFunctions
    private let handle: UnsafeMutableRawPointer

    /// Opens and initialises NVML from `path`, else `$VIGIL_NVML_LIBRARY`, else `libnvidia-ml.so.1`.
    init(path explicitPath: String? = nil) throws(GPUError) {
        let path = Self.resolvedPath(explicit: explicitPath, environment: Self.environmentValue())
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw GPUError(
                .unavailable,
                "cannot load \(path) (\(reason)): no NVIDIA driver on this machine? "
                    + "Set \(Self.pathEnvironmentVariable) to libnvidia-ml's path if it is installed elsewhere"
            )
        }
        let functions = NVMLFunctions(handle: handle)
        let required: [(String, Bool)] = [
            ("nvmlInit_v2", functions.initialize != nil),
            ("nvmlShutdown", functions.shutdown != nil),
            ("nvmlDeviceGetCount_v2", functions.deviceCount != nil),
            ("nvmlDeviceGetHandleByIndex_v2", functions.deviceByIndex != nil),
        ]
        if let missing = required.first(where: { !$0.1 })?.0 {
            dlclose(handle)
            throw GPUError(
                .unsupported, "libnvidia-ml at \(path) lacks \(missing): driver too old; update the NVIDIA driver")
        }
        let status = functions.initialize!()
        guard status == NVML_SUCCESS else {
            let message = functions.errorString.flatMap { $0(status) }.map { String(cString: $0) }
            dlclose(handle)
            throw Self.initError(status, message: message ?? "NVML error \(status.rawValue)", path: path)
        }
        self.path = path
        self.functions = functions
        self.handle = handle
    }

    deinit {
        _ = functions.shutdown?()
        dlclose(handle)
    }

    /// NVML's text for a return code ("GPU is lost"), or the code's number when it has none.
    func describe(_ status: nvmlReturn_t) -> String {
        if let text = functions.errorString?(status) { return String(cString: text) }
        return "NVML error \(status.rawValue)"
    }

    /// The explicit path, else a non-empty `$VIGIL_NVML_LIBRARY`, else the soname.
    static func resolvedPath(explicit: String?, environment: String?) -> String {
        if let explicit { return explicit }
        if let environment, !environment.isEmpty { return environment }
        return defaultPath
    }

    private static func environmentValue() -> String? {
        getenv(pathEnvironmentVariable).map { String(cString: $0) }
    }

    private static func initError(_ status: nvmlReturn_t, message: String, path: String) -> GPUError {
        switch status {
        case NVML_ERROR_DRIVER_NOT_LOADED:
            return GPUError(.unavailable, "nvmlInit_v2 (\(path)): \(message): is the nvidia kernel module loaded?")
        case NVML_ERROR_LIB_RM_VERSION_MISMATCH:
            return GPUError(
                .unsupported,
                "nvmlInit_v2 (\(path)): \(message): libnvidia-ml and the loaded kernel module differ; "
                    + "reload the driver or reboot"
            )
        case NVML_ERROR_NO_PERMISSION:
            return GPUError(.callFailed, "nvmlInit_v2 (\(path)): \(message): check access to /dev/nvidia*")
        default:
            return GPUError(.callFailed, "nvmlInit_v2 (\(path)): \(message)")
        }
    }
}

/// The NVML functions Vigil calls, each resolved from the newest symbol version the library has.
///
/// Symbol versions that share a signature share one C function type (see cnvml.h); where versions
/// differ in layout (the unversioned running-process functions) they get fields of their own.
struct NVMLFunctions {
    // Library.
    var initialize: cnvml_init_fn?
    var shutdown: cnvml_shutdown_fn?
    var errorString: cnvml_error_string_fn?
    var driverVersion: cnvml_get_string_fn?
    var cudaDriverVersion: cnvml_get_int_fn?

    // Identity.
    var deviceCount: cnvml_device_count_fn?
    var deviceByIndex: cnvml_device_by_index_fn?
    var name: cnvml_device_string_fn?
    var uuid: cnvml_device_string_fn?
    var serial: cnvml_device_string_fn?
    var vbiosVersion: cnvml_device_string_fn?
    var pciInfo: cnvml_device_pci_info_fn?
    var minorNumber: cnvml_device_uint_fn?
    var migMode: cnvml_device_mig_mode_fn?

    // Utilisation, memory, clocks.
    var utilizationRates: cnvml_device_utilization_fn?
    var encoderUtilization: cnvml_device_codec_utilization_fn?
    var decoderUtilization: cnvml_device_codec_utilization_fn?
    var memoryInfoV2: cnvml_device_memory_v2_fn?
    var memoryInfo: cnvml_device_memory_fn?
    var clockInfo: cnvml_device_clock_fn?
    var maxClockInfo: cnvml_device_clock_fn?

    // Thermal, power, performance.
    var temperature: cnvml_device_temperature_fn?
    var temperatureThreshold: cnvml_device_temperature_threshold_fn?
    var powerUsage: cnvml_device_uint_fn?
    var powerLimit: cnvml_device_uint_fn?
    var enforcedPowerLimit: cnvml_device_uint_fn?
    var totalEnergy: cnvml_device_ull_fn?
    var fanSpeed: cnvml_device_uint_fn?
    var performanceState: cnvml_device_pstate_fn?
    var clockEventReasons: cnvml_device_ull_fn?
    var fieldValues: cnvml_device_field_values_fn?

    // Memory health.
    var totalECCErrors: cnvml_device_total_ecc_fn?
    var retiredPages: cnvml_device_retired_pages_fn?
    var retiredPagesPending: cnvml_device_enable_state_fn?
    var remappedRows: cnvml_device_remapped_rows_fn?

    // PCIe and NVLink.
    var pcieLinkGeneration: cnvml_device_uint_fn?
    var pcieMaxLinkGeneration: cnvml_device_uint_fn?
    var pcieLinkWidth: cnvml_device_uint_fn?
    var pcieMaxLinkWidth: cnvml_device_uint_fn?
    var pcieThroughput: cnvml_device_pcie_throughput_fn?
    var pcieReplayCounter: cnvml_device_uint_fn?
    var nvLinkState: cnvml_device_nvlink_state_fn?
    var nvLinkErrorCounter: cnvml_device_nvlink_error_fn?

    // Processes.
    var computeProcesses: cnvml_device_processes_fn?
    var computeProcessesV1: cnvml_device_processes_v1_fn?
    var graphicsProcesses: cnvml_device_processes_fn?
    var graphicsProcessesV1: cnvml_device_processes_v1_fn?
    var processUtilization: cnvml_device_process_utilization_fn?

    // MIG.
    var maxMIGDeviceCount: cnvml_device_uint_fn?
    var migDeviceByIndex: cnvml_device_mig_device_fn?
    var gpuInstanceID: cnvml_device_uint_fn?
    var computeInstanceID: cnvml_device_uint_fn?
    var attributes: cnvml_device_attributes_fn?

    // Events.
    var eventSetCreate: cnvml_event_set_create_fn?
    var eventSetFree: cnvml_event_set_free_fn?
    var registerEvents: cnvml_register_events_fn?
    var eventSetWait: cnvml_event_set_wait_fn?

    init() {}

    /// Resolves every function from an open library.
    init(handle: UnsafeMutableRawPointer) {
        /// The first of `names` the library exports, as a function of type `T`.
        func resolve<T>(_ names: String...) -> T? {
            for name in names {
                if let symbol = dlsym(handle, name) { return unsafeBitCast(symbol, to: T.self) }
            }
            return nil
        }
        initialize = resolve("nvmlInit_v2")
        shutdown = resolve("nvmlShutdown")
        errorString = resolve("nvmlErrorString")
        driverVersion = resolve("nvmlSystemGetDriverVersion")
        cudaDriverVersion = resolve("nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion")

        deviceCount = resolve("nvmlDeviceGetCount_v2")
        deviceByIndex = resolve("nvmlDeviceGetHandleByIndex_v2")
        name = resolve("nvmlDeviceGetName")
        uuid = resolve("nvmlDeviceGetUUID")
        serial = resolve("nvmlDeviceGetSerial")
        vbiosVersion = resolve("nvmlDeviceGetVbiosVersion")
        pciInfo = resolve("nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2")
        minorNumber = resolve("nvmlDeviceGetMinorNumber")
        migMode = resolve("nvmlDeviceGetMigMode")

        utilizationRates = resolve("nvmlDeviceGetUtilizationRates")
        encoderUtilization = resolve("nvmlDeviceGetEncoderUtilization")
        decoderUtilization = resolve("nvmlDeviceGetDecoderUtilization")
        memoryInfoV2 = resolve("nvmlDeviceGetMemoryInfo_v2")
        memoryInfo = resolve("nvmlDeviceGetMemoryInfo")
        clockInfo = resolve("nvmlDeviceGetClockInfo")
        maxClockInfo = resolve("nvmlDeviceGetMaxClockInfo")

        temperature = resolve("nvmlDeviceGetTemperature")
        temperatureThreshold = resolve("nvmlDeviceGetTemperatureThreshold")
        powerUsage = resolve("nvmlDeviceGetPowerUsage")
        powerLimit = resolve("nvmlDeviceGetPowerManagementLimit")
        enforcedPowerLimit = resolve("nvmlDeviceGetEnforcedPowerLimit")
        totalEnergy = resolve("nvmlDeviceGetTotalEnergyConsumption")
        fanSpeed = resolve("nvmlDeviceGetFanSpeed")
        performanceState = resolve("nvmlDeviceGetPerformanceState")
        clockEventReasons = resolve(
            "nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons"
        )
        fieldValues = resolve("nvmlDeviceGetFieldValues")

        totalECCErrors = resolve("nvmlDeviceGetTotalEccErrors")
        retiredPages = resolve("nvmlDeviceGetRetiredPages")
        retiredPagesPending = resolve("nvmlDeviceGetRetiredPagesPendingStatus")
        remappedRows = resolve("nvmlDeviceGetRemappedRows")

        pcieLinkGeneration = resolve("nvmlDeviceGetCurrPcieLinkGeneration")
        pcieMaxLinkGeneration = resolve("nvmlDeviceGetMaxPcieLinkGeneration")
        pcieLinkWidth = resolve("nvmlDeviceGetCurrPcieLinkWidth")
        pcieMaxLinkWidth = resolve("nvmlDeviceGetMaxPcieLinkWidth")
        pcieThroughput = resolve("nvmlDeviceGetPcieThroughput")
        pcieReplayCounter = resolve("nvmlDeviceGetPcieReplayCounter")
        nvLinkState = resolve("nvmlDeviceGetNvLinkState")
        nvLinkErrorCounter = resolve("nvmlDeviceGetNvLinkErrorCounter")

        computeProcesses = resolve("nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2")
        computeProcessesV1 = resolve("nvmlDeviceGetComputeRunningProcesses")
        graphicsProcesses = resolve(
            "nvmlDeviceGetGraphicsRunningProcesses_v3", "nvmlDeviceGetGraphicsRunningProcesses_v2"
        )
        graphicsProcessesV1 = resolve("nvmlDeviceGetGraphicsRunningProcesses")
        processUtilization = resolve("nvmlDeviceGetProcessUtilization")

        maxMIGDeviceCount = resolve("nvmlDeviceGetMaxMigDeviceCount")
        migDeviceByIndex = resolve("nvmlDeviceGetMigDeviceHandleByIndex")
        gpuInstanceID = resolve("nvmlDeviceGetGpuInstanceId")
        computeInstanceID = resolve("nvmlDeviceGetComputeInstanceId")
        attributes = resolve("nvmlDeviceGetAttributes_v2")

        eventSetCreate = resolve("nvmlEventSetCreate")
        eventSetFree = resolve("nvmlEventSetFree")
        registerEvents = resolve("nvmlDeviceRegisterEvents")
        eventSetWait = resolve("nvmlEventSetWait_v2")
    }
}
