/// `storage:` — Prometheus's `tsdb` and `exemplars` blocks; Vigil adds path and retention under `tsdb`.
public struct StorageConfig: Sendable, Hashable {
    /// `storage.tsdb`.
    public var tsdb: TSDBConfig
    /// `storage.exemplars`.
    public var exemplars: ExemplarsConfig

    public init(tsdb: TSDBConfig = TSDBConfig(), exemplars: ExemplarsConfig = ExemplarsConfig()) {
        self.tsdb = tsdb
        self.exemplars = exemplars
    }
}

/// `storage.tsdb`.
public struct TSDBConfig: Sendable, Hashable {
    /// `path` (Vigil): the data directory (default `./vigil-data`; `--data-dir` overrides it).
    public var path: String
    /// `retention_time` (Vigil): blocks older than this are deleted (default 15d; 0 = keep by time forever).
    public var retentionTime: Duration
    /// `retention_size` (Vigil): bytes of blocks kept at most, oldest deleted first (default 0 = no limit).
    public var retentionSize: Int64
    /// `out_of_order_time_window` (Prometheus): how far behind the newest sample a sample may still be
    /// accepted (default 0: out-of-order samples are refused).
    public var outOfOrderTimeWindow: Duration

    public init(
        path: String = "./vigil-data", retentionTime: Duration = .seconds(15 * 86_400), retentionSize: Int64 = 0,
        outOfOrderTimeWindow: Duration = .zero
    ) {
        self.path = path
        self.retentionTime = retentionTime
        self.retentionSize = retentionSize
        self.outOfOrderTimeWindow = outOfOrderTimeWindow
    }
}

/// `storage.exemplars`.
public struct ExemplarsConfig: Sendable, Hashable {
    /// `max_exemplars`: size of the in-memory exemplar buffer (default 100000; 0 or less turns storage off).
    public var maxExemplars: Int64

    public init(maxExemplars: Int64 = 100_000) {
        self.maxExemplars = maxExemplars
    }
}
