/// A source of GPU readings: NVML, `nvidia-smi -q -x`, or the simulator.
///
/// `read()` is called on every collection. A GPU that fails alone is reported with
/// ``GPUReading/isLost`` or missing fields; only a backend that can't read at all throws.
public protocol GPUBackend: Sendable {
    /// "nvml", "nvidia-smi", "sim".
    var name: String { get }
    func read() throws(GPUError) -> [GPUReading]
}

/// Why a GPU backend could not read, with what to do about it.
public struct GPUError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The driver library or tool isn't there (no NVIDIA driver on this machine).
        case unavailable
        /// It is there but too old, or lacks a required function.
        case unsupported
        /// A call failed (NVML's error string in the message).
        case callFailed
        /// Output could not be parsed (position in the message).
        case malformedOutput
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
