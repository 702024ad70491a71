import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What `statvfs` says about a mounted filesystem, in the units node_exporter reports.
public struct MountStatistics: Sendable, Equatable {
    public var blockSize: Double
    public var blocks: Double
    public var freeBlocks: Double
    public var availableBlocks: Double
    public var files: Double
    public var freeFiles: Double

    public init(
        blockSize: Double, blocks: Double, freeBlocks: Double, availableBlocks: Double, files: Double,
        freeFiles: Double
    ) {
        self.blockSize = blockSize
        self.blocks = blocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.files = files
        self.freeFiles = freeFiles
    }
}

/// Calls `statvfs` with a time limit, so that a hung network mount (an NFS server gone away) costs one
/// blocked thread, not the whole collection: a mount whose call did not return in time is skipped — and
/// not asked again — until that call comes back.
///
/// Only filesystems that can hang on a remote peer (NFS, CIFS, Lustre, GPFS, BeeGFS, Ceph, FUSE, …) take
/// the detour through another thread (a few hundred µs); local ones are asked directly.
public final class MountStatter: Sendable {
    public typealias Stat = @Sendable (String) -> Result<MountStatistics, StatError>

    public struct StatError: Error, Sendable, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    public enum Outcome: Sendable, Equatable {
        case statistics(MountStatistics)
        case failed(String)
        /// The call took longer than the limit; it goes on in the background.
        case timedOut
        /// An earlier call on this path has not returned yet.
        case stillStuck
    }

    private let stat: Stat
    private let timeout: Duration
    private let stuck = Locked<Set<String>>([])

    public init(timeout: Duration = .seconds(5), stat: @escaping Stat = MountStatter.systemStatistics) {
        self.stat = stat
        self.timeout = timeout
    }

    /// Paths whose call has not returned yet.
    public var stuckPaths: Set<String> { stuck.withLock { $0 } }

    /// Filesystem types (or `fuse` prefixes) whose calls can hang on a remote server.
    public static let remoteFilesystemTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "lustre", "gpfs", "beegfs", "glusterfs", "9p", "afs",
        "ocfs2", "gfs2", "orangefs", "davfs",
    ]

    public static func canHang(fsType: String) -> Bool {
        remoteFilesystemTypes.contains(fsType) || fsType.hasPrefix("fuse")
    }

    /// Statistics for the filesystem mounted at `path`; with a time limit when `fsType` can hang (or is
    /// unknown to the caller: pass nil).
    public func statistics(of path: String, fsType: String? = nil) -> Outcome {
        if let fsType, !Self.canHang(fsType: fsType) {
            switch stat(path) {
            case .success(let statistics): return .statistics(statistics)
            case .failure(let error): return .failed(error.message)
            }
        }
        let alreadyStuck = stuck.withLock { stuck in
            if stuck.contains(path) { return true }
            stuck.insert(path)
            return false
        }
        if alreadyStuck { return .stillStuck }
        let result = Locked<Result<MountStatistics, StatError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // A thread of its own, not a shared pool's: a hung call must never hold a thread others wait for.
        let thread = Thread { [stat, stuck] in
            let answer = stat(path)
            result.withLock { $0 = answer }
            stuck.withLock { _ = $0.remove(path) }
            done.signal()
        }
        thread.name = "vigil-statvfs"
        thread.start()
        let nanoseconds =
            Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return .timedOut }
        switch result.withLock({ $0 }) {
        case .success(let statistics): return .statistics(statistics)
        case .failure(let error): return .failed(error.message)
        case nil: return .failed("no answer")
        }
    }

    /// The real `statvfs(3)`.
    @Sendable public static func systemStatistics(_ path: String) -> Result<MountStatistics, StatError> {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else {
            return .failure(StatError("statvfs: \(String(cString: strerror(errno)))"))
        }
        return .success(
            MountStatistics(
                blockSize: Double(stats.f_bsize), blocks: Double(stats.f_blocks), freeBlocks: Double(stats.f_bfree),
                availableBlocks: Double(stats.f_bavail), files: Double(stats.f_files), freeFiles: Double(stats.f_ffree))
        )
    }
}

/// A value behind a lock that escaping closures can share (a `Mutex` itself cannot be captured).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
