import CNVML
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts XID errors per GPU and code as NVML reports them, on a thread of its own.
///
/// The thread blocks in `nvmlEventSetWait_v2` for at most `waitMilliseconds` at a time, so ``stop()``
/// returns within about that long. A GPU whose driver refuses XID registration simply has no counts
/// (its readings keep `lastXID` nil); the rest of the backend is unaffected.
final class NVMLXIDListener: Sendable {
    /// What has been seen for one GPU.
    struct Seen: Sendable, Equatable {
        var counts: [Int: Double] = [:]
        var last: Int?
    }

    private struct State: Sendable {
        /// Keyed by GPU index; present for each GPU registered for XID events.
        var seen: [Int: Seen] = [:]
        var stopRequested = false
        var thread: JoinHandle?
    }

    private let library: NVMLLibrary
    /// nvmlEventSet_t, as a bit pattern (a raw pointer is not Sendable).
    private let eventSet: Int
    /// Device handle bit pattern → GPU index, for the GPUs registered.
    private let indexByDevice: [Int: Int]
    private let waitMilliseconds: UInt32
    private let state: Mutex<State>

    /// Registers every device for XID events; nil when the library has no event API or no device accepts.
    init?(library: NVMLLibrary, devices: [(index: Int, handle: nvmlDevice_t)], waitMilliseconds: UInt32) {
        let nvml = library.functions
        guard
            let create = nvml.eventSetCreate, let free = nvml.eventSetFree, let register = nvml.registerEvents,
            nvml.eventSetWait != nil
        else { return nil }
        var set: nvmlEventSet_t?
        guard create(&set) == NVML_SUCCESS, let set else { return nil }
        var indexByDevice: [Int: Int] = [:]
        for device in devices where register(device.handle, CNVML_EVENT_TYPE_XID_CRITICAL_ERROR, set) == NVML_SUCCESS {
            indexByDevice[Int(bitPattern: device.handle)] = device.index
        }
        guard !indexByDevice.isEmpty else {
            _ = free(set)
            return nil
        }
        self.library = library
        self.eventSet = Int(bitPattern: set)
        self.indexByDevice = indexByDevice
        self.waitMilliseconds = waitMilliseconds
        var initial = State()
        for index in indexByDevice.values { initial.seen[index] = Seen() }
        self.state = Mutex(initial)
    }

    /// What was seen on the GPU at `index`; nil when that GPU isn't registered for XID events.
    func seen(index: Int) -> Seen? {
        state.withLock { $0.seen[index] }
    }

    /// Starts the listening thread (once). False if the thread could not be created.
    @discardableResult
    func start() -> Bool {
        let alreadyStarted = state.withLock { $0.thread != nil || $0.stopRequested }
        if alreadyStarted { return true }
        guard let thread = Self.spawn(self) else {
            _ = library.functions.eventSetFree?(OpaquePointer(bitPattern: eventSet))
            return false
        }
        state.withLock { $0.thread = thread }
        return true
    }

    /// Ends the thread and waits for it (at most about one wait timeout). Idempotent.
    func stop() {
        let thread: JoinHandle? = state.withLock { state in
            state.stopRequested = true
            defer { state.thread = nil }
            return state.thread
        }
        if let thread { Self.join(thread) }
    }

    /// The thread's body: wait, count, repeat until stopped; then free the event set.
    private func run() {
        let nvml = library.functions
        guard let wait = nvml.eventSetWait, let set = OpaquePointer(bitPattern: eventSet) else { return }
        while !state.withLock({ $0.stopRequested }) {
            var data = nvmlEventData_t()
            let status = wait(set, &data, waitMilliseconds)
            if status == NVML_SUCCESS {
                record(data)
            } else if status != NVML_ERROR_TIMEOUT {
                // E.g. GPU_IS_LOST or UNKNOWN, possibly answered at once: don't spin.
                usleep(UInt32(min(UInt64(waitMilliseconds), 1000) * 1000))
            }
        }
        _ = nvml.eventSetFree?(set)
    }

    private func record(_ data: nvmlEventData_t) {
        guard data.eventType & CNVML_EVENT_TYPE_XID_CRITICAL_ERROR != 0,
            let index = indexByDevice[Int(bitPattern: data.device)]
        else { return }
        let code = Int(clamping: data.eventData)
        state.withLock { state in
            state.seen[index, default: Seen()].counts[code, default: 0] += 1
            state.seen[index, default: Seen()].last = code
        }
    }

    // MARK: - Thread

    #if canImport(Glibc) || canImport(Musl)
        /// A pthread to join (glibc's pthread_t is an integer, musl's a pointer; either is only joined).
        struct JoinHandle: @unchecked Sendable {
            #if canImport(Glibc)
                var thread: pthread_t
            #else
                var thread: pthread_t?
            #endif
        }

        private static func spawn(_ listener: NVMLXIDListener) -> JoinHandle? {
            let context = Unmanaged.passRetained(listener).toOpaque()
            #if canImport(Glibc)
                var thread = pthread_t()
            #else
                var thread: pthread_t? = nil
            #endif
            let status = pthread_create(
                &thread, nil,
                { context in
                    let listener = Unmanaged<NVMLXIDListener>.fromOpaque(context!).takeRetainedValue()
                    listener.run()
                    return nil
                }, context)
            guard status == 0 else {
                Unmanaged<NVMLXIDListener>.fromOpaque(context).release()
                return nil
            }
            return JoinHandle(thread: thread)
        }

        private static func join(_ handle: JoinHandle) {
            pthread_join(handle.thread, nil)
        }
    #else
        // NVML exists only on Linux; elsewhere the listener never runs.
        struct JoinHandle: Sendable {}
        private static func spawn(_ listener: NVMLXIDListener) -> JoinHandle? { nil }
        private static func join(_ handle: JoinHandle) {}
    #endif
}
