import Synchronization
import VigilEncoding
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The write-ahead log: numbered segment files in one directory, each a sequence of CRC-checked records
/// (format: `docs/format/wal.md`).
///
/// Records are appended to the newest segment; when a batch would take a segment past
/// ``Options/segmentSize`` the segment is synced and closed and the next one begins. A batch is written
/// with as few `write` calls as possible and, when asked, `fsync`ed before ``log(_:sync:)`` returns, so a
/// commit is acknowledged only once it is on disk. A failed write is cut back off the segment, so a
/// later record never follows a half-written one.
public final class WAL: Sendable {
    public struct Options: Sendable {
        /// Largest segment file in bytes (a single larger record gets a segment to itself).
        public var segmentSize: Int
        /// Whether every ``Head`` commit fsyncs the WAL before returning.
        public var syncOnCommit: Bool

        public init(segmentSize: Int = 128 * 1024 * 1024, syncOnCommit: Bool = true) {
            self.segmentSize = segmentSize
            self.syncOnCommit = syncOnCommit
        }
    }

    /// Frame header: type (1 byte), payload length (4 bytes, big-endian), CRC-32C of the payload (4 bytes).
    static let headerSize = 9

    public let directory: String
    public let options: Options
    private let state: Mutex<WriterState>

    private struct WriterState: ~Copyable {
        var descriptor: Int32
        var rotation: WALSegmentStateMachine
        var closed = false
    }

    /// Opens the WAL in `directory` (created when missing) for appending, starting a new segment after
    /// every existing one.
    public init(directory: String, options: Options = Options()) throws(StorageError) {
        self.directory = directory
        self.options = options
        try Self.makeDirectory(directory)
        let next = (try Self.segments(in: directory).last ?? -1) + 1
        let descriptor = try Self.createSegment(next, in: directory)
        state = Mutex(
            WriterState(
                descriptor: descriptor,
                rotation: WALSegmentStateMachine(segment: next, segmentSize: options.segmentSize)))
    }

    /// The index of the segment being written.
    public var currentSegment: Int { state.withLock { $0.rotation.segment } }

    /// Appends records in order, rotating segments as needed; fsyncs when `sync` is true.
    public func log(_ records: [WALRecord], sync: Bool) throws(StorageError) {
        var frames: [UInt8] = []
        var payload: [UInt8] = []
        try state.withLock { state throws(StorageError) in
            if state.closed { throw StorageError(.closed, "WAL in \(directory) is closed") }
            for record in records {
                payload.removeAll(keepingCapacity: true)
                record.encode(into: &payload)
                let frameSize = Self.headerSize + payload.count
                if state.rotation.add(frameOf: frameSize) == .rotate {
                    try flush(&frames, state: &state)
                    try rotate(state: &state)
                    _ = state.rotation.add(frameOf: frameSize)
                }
                Self.frame(type: record.type, payload: payload, into: &frames)
            }
            try flush(&frames, state: &state)
            if sync {
                guard fsync(state.descriptor) == 0 else {
                    throw .io("fsync", path: Self.path(of: state.rotation.segment, in: directory), errno: errno)
                }
            }
        }
    }

    /// Syncs the current segment and starts the next one; returns its index. Used for checkpoints: what is
    /// logged next starts a segment, so the older segments can be deleted once it is synced.
    func startSegment() throws(StorageError) -> Int {
        try state.withLock { state throws(StorageError) in
            if state.closed { throw StorageError(.closed, "WAL in \(directory) is closed") }
            try rotate(state: &state)
            return state.rotation.segment
        }
    }

    /// Syncs and closes the current segment; later ``log(_:sync:)`` calls throw.
    public func close() throws(StorageError) {
        try state.withLock { state throws(StorageError) in
            guard !state.closed else { return }
            state.closed = true
            let synced = fsync(state.descriptor) == 0
            let code = errno
            _ = closeDescriptor(state.descriptor)
            if !synced { throw .io("fsync", path: Self.path(of: state.rotation.segment, in: directory), errno: code) }
        }
    }

    deinit {
        state.withLock { state in
            if !state.closed { _ = closeDescriptor(state.descriptor) }
        }
    }

    /// Frames a payload: header then payload.
    static func frame(type: WALRecordType, payload: [UInt8], into buffer: inout [UInt8]) {
        buffer.append(type.rawValue)
        let length = UInt32(payload.count)
        let crc = CRC32C.checksum(payload)
        for shift in [24, 16, 8, 0] as [UInt32] { buffer.append(UInt8(truncatingIfNeeded: length >> shift)) }
        for shift in [24, 16, 8, 0] as [UInt32] { buffer.append(UInt8(truncatingIfNeeded: crc >> shift)) }
        buffer.append(contentsOf: payload)
    }

    private func flush(_ frames: inout [UInt8], state: inout WriterState) throws(StorageError) {
        guard !frames.isEmpty else { return }
        let written = frames.withUnsafeBytes { Self.writeAll(state.descriptor, $0) }
        if written != 0 {
            // Cut a partial write back off, so the segment still ends at a record boundary.
            _ = ftruncate(state.descriptor, off_t(state.rotation.flushFailed()))
            frames.removeAll()
            throw .io("write", path: Self.path(of: state.rotation.segment, in: directory), errno: written)
        }
        state.rotation.flushed()
        frames.removeAll(keepingCapacity: true)
    }

    private func rotate(state: inout WriterState) throws(StorageError) {
        let path = Self.path(of: state.rotation.segment, in: directory)
        guard fsync(state.descriptor) == 0 else { throw .io("fsync", path: path, errno: errno) }
        let next = try Self.createSegment(state.rotation.segment + 1, in: directory)
        _ = closeDescriptor(state.descriptor)
        state.descriptor = next
        state.rotation.rotated()
    }

    /// Writes everything, retrying short writes and interruptions; 0 or the failing errno.
    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let result = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += result
        }
        return 0
    }

    // MARK: Files

    /// `00000042` for segment 42.
    static func name(of segment: Int) -> String {
        let digits = String(segment)
        return String(repeating: "0", count: Swift.max(0, 8 - digits.count)) + digits
    }

    static func path(of segment: Int, in directory: String) -> String {
        directory + "/" + name(of: segment)
    }

    /// The segment indices in `directory`, ascending (files named by 8 or more digits only).
    static func segments(in directory: String) throws(StorageError) -> [Int] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw .io("opendir", path: directory, errno: errno)
        }
        defer { closedir(handle) }
        var result: [Int] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard name.utf8.count >= 8, name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let index = Int(name) else {
                continue
            }
            result.append(index)
        }
        return result.sorted()
    }

    static func makeDirectory(_ path: String) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .io("mkdir", path: prefix, errno: errno) }
        }
    }

    private static func createSegment(_ segment: Int, in directory: String) throws(StorageError) -> Int32 {
        let path = Self.path(of: segment, in: directory)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("open", path: path, errno: errno) }
        syncDirectory(directory)
        return descriptor
    }

    /// Makes a new or renamed file's directory entry durable (best effort).
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = closeDescriptor(descriptor)
    }

    /// Reads a whole file.
    static func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io("open", path: path, errno: errno) }
        defer { _ = closeDescriptor(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("read", path: path, errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}

/// `close(2)`, by a name that the types' own `close()` methods do not shadow.
func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
