import Synchronization
import VigilStorage

extension TSDB {
    /// What one maintenance pass did.
    public struct MaintenanceReport: Sendable {
        /// Blocks cut from the head or merged from smaller ones.
        public var written: [BlockMeta]
        /// ULIDs of blocks deleted by retention.
        public var deleted: [String]
    }

    /// Counts of maintenance passes, for the server's `/metrics`.
    struct MaintenanceCounters {
        var passes = 0
        var failures = 0
        var blocksWritten = 0
        var blocksDeleted = 0
    }

    /// Cuts, compacts and applies retention (time retention is measured from the newest data, as
    /// Prometheus does, so imported history is not deleted for being old), counting the outcome.
    public func runMaintenance() -> Result<MaintenanceReport, StorageError> {
        do throws(StorageError) {
            let report = try compactReporting(now: nil)
            maintenanceCounters.withLock {
                $0.passes += 1
                $0.blocksWritten += report.written.count
                $0.blocksDeleted += report.deleted.count
            }
            return .success(report)
        } catch {
            maintenanceCounters.withLock {
                $0.passes += 1
                $0.failures += 1
            }
            return .failure(error)
        }
    }
}
