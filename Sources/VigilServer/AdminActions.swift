import Dispatch
import VigilModel
import VigilStorage
import VigilTSDB

/// What the admin endpoints do (`/api/v1/admin/tsdb/*`, Prometheus's `--web.enable-admin-api`). The API
/// takes them as closures, so that tests script them and the composition root adapts the TSDB
/// (``init(tsdb:now:)``).
public struct AdminActions: Sendable {
    /// Deletes the samples with `start ≤ t ≤ end` (milliseconds) of the series matching every matcher.
    public var deleteSeries: @Sendable (_ matchers: [LabelMatcher], _ start: Int64, _ end: Int64) async throws -> Void
    /// Rewrites blocks without their deleted samples.
    public var cleanTombstones: @Sendable () async throws -> Void
    /// Takes a snapshot (with the head's data unless `skipHead`); returns its name.
    public var snapshot: @Sendable (_ skipHead: Bool) async throws -> String

    public init(
        deleteSeries:
            @escaping @Sendable (_ matchers: [LabelMatcher], _ start: Int64, _ end: Int64) async throws ->
            Void,
        cleanTombstones: @escaping @Sendable () async throws -> Void,
        snapshot: @escaping @Sendable (_ skipHead: Bool) async throws -> String
    ) {
        self.deleteSeries = deleteSeries
        self.cleanTombstones = cleanTombstones
        self.snapshot = snapshot
    }

    /// The actions on `tsdb`, as Prometheus's: snapshots go to `<data-dir>/snapshots/<name>`, named
    /// `20231114T221320Z-<16 hex digits>` from `now` (milliseconds) and a random number. The TSDB's file work
    /// runs on a dispatch queue of its own, never on Swift's cooperative threads.
    public init(tsdb: TSDB, now: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds) {
        self.init(
            deleteSeries: { matchers, start, end in
                try await Self.offloaded { () throws(StorageError) in
                    try tsdb.delete(matchers: matchers, mint: start, maxt: end)
                }
            },
            cleanTombstones: {
                try await Self.offloaded { () throws(StorageError) in _ = try tsdb.cleanTombstones() }
            },
            snapshot: { skipHead in
                let name = Self.snapshotName(now: now(), random: UInt64.random(in: 0...UInt64(Int64.max)))
                try await Self.offloaded { () throws(StorageError) in
                    _ = try tsdb.snapshot(into: tsdb.directory + "/snapshots/" + name, withHead: !skipHead)
                }
                return name
            })
    }

    /// Go's `time.Now().UTC().Format("20060102T150405Z0700")` and `%016x` of a random number.
    static func snapshotName(now milliseconds: Int64, random: UInt64) -> String {
        let time = CivilTime(millisecondsSinceEpoch: milliseconds)
        let compact = time.dateAndTime(separator: "T").filter { $0 != "-" && $0 != ":" }
        let hex = String(random, radix: 16)
        return compact + "Z-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    private static let queue = DispatchQueue(label: "vigil.server.admin")

    private static func offloaded(_ work: @escaping @Sendable () throws(StorageError) -> Void) async throws {
        let result: Result<Void, StorageError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(StorageError) {
                    try work()
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
    }
}
