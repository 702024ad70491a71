import VigilModel
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension StorageError.Code {
    /// Data read back from disk (a WAL record, a chunk) failed its checksum or did not decode.
    public static let corruption = Self("corruption")
    /// The operating system refused a file operation (open, write, fsync, rename).
    public static let io = Self("io")
    /// The head was used after ``Head/close()``.
    public static let closed = Self("closed")
}

extension StorageError {
    static func io(_ operation: String, path: String, errno code: Int32) -> StorageError {
        StorageError(.io, "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
