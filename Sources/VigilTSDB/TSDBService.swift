import Dispatch
import Logging
import ServiceLifecycle

/// Runs a ``TSDB``'s maintenance in the background — cutting head data into blocks, compacting them and
/// applying retention every ``interval`` — and closes the database (syncing the WAL) on graceful shutdown.
///
/// Put it first in the `ServiceGroup`: services stop in reverse order, so scrapes and the HTTP server are
/// gone before the WAL is closed. Maintenance runs on a dispatch queue of its own (it writes and fsyncs
/// files), never on Swift's cooperative threads; appends and queries go on meanwhile.
public struct TSDBService: Service {
    public let tsdb: TSDB
    public let interval: Duration
    private let logger: Logger

    private static let queue = DispatchQueue(label: "vigil.tsdb.maintenance")

    public init(tsdb: TSDB, interval: Duration = .seconds(60), logger: Logger) {
        self.tsdb = tsdb
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            await maintain()
        }
        do {
            try tsdb.close()
            logger.info("TSDB closed", metadata: ["directory": "\(tsdb.directory)"])
        } catch {
            logger.error("closing the TSDB failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// One maintenance pass, off the cooperative pool; failures are logged and counted, never thrown
    /// (the next pass retries).
    func maintain() async {
        let tsdb = tsdb
        let report = await withCheckedContinuation { continuation in
            Self.queue.async { continuation.resume(returning: tsdb.runMaintenance()) }
        }
        switch report {
        case .success(let report):
            for block in report.written {
                logger.info(
                    "block written",
                    metadata: [
                        "ulid": "\(block.ulid)", "minTime": "\(block.minTime)", "maxTime": "\(block.maxTime)",
                        "level": "\(block.compaction.level)",
                    ])
            }
            if !report.deleted.isEmpty {
                logger.info("retention deleted blocks", metadata: ["ulids": "\(report.deleted.joined(separator: ","))"])
            }
        case .failure(let error):
            logger.error("TSDB maintenance failed", metadata: ["error": "\(error)"])
        }
    }
}
