import Synchronization
import VigilModel
import VigilStorage

extension TSDB {
    /// The head's statistics as Prometheus's `/api/v1/status/tsdb` reports them.
    public struct HeadStatus: Sendable, Equatable {
        public struct Count: Sendable, Equatable {
            public var name: String
            public var value: Int
        }

        public var numSeries: Int
        /// Distinct label name/value pairs in the head's index.
        public var numLabelPairs: Int
        public var chunkCount: Int
        /// Oldest and newest sample time in the head (milliseconds); nil when the head is empty.
        public var minTime: Int64?
        public var maxTime: Int64?
        /// The largest entries first, at most `limit` each.
        public var seriesCountByMetricName: [Count]
        public var labelValueCountByLabelName: [Count]
        /// Prometheus's estimate of the bytes of each label name's pairs: (name + value length) × series.
        public var memoryInBytesByLabelName: [Count]
        public var seriesCountByLabelValuePair: [Count]
    }

    /// Head statistics with the `limit` largest entries of each cardinality list.
    public func headStatus(limit: Int = 10) -> HeadStatus {
        let (postings, seriesCount) = head.index.withLock { ($0.postings, $0.series.count) }
        var metrics: [HeadStatus.Count] = []
        var valueCounts: [HeadStatus.Count] = []
        var bytes: [HeadStatus.Count] = []
        var pairs: [HeadStatus.Count] = []
        var labelPairs = 0
        for (name, values) in postings {
            labelPairs += values.count
            valueCounts.append(.init(name: name, value: values.count))
            var size = 0
            for (value, refs) in values {
                size += (name.utf8.count + value.utf8.count) * refs.count
                pairs.append(.init(name: name + "=" + value, value: refs.count))
                if name == metricNameLabel { metrics.append(.init(name: value, value: refs.count)) }
            }
            bytes.append(.init(name: name, value: size))
        }
        var chunks = 0
        var minTime: Int64?
        let floor = state.withLock { $0.headFloor }
        for (_, snapshot, _) in head.seriesSnapshots() {
            chunks += snapshot.count
            if let first = snapshot.first(where: { $0.maxTime >= floor }) {
                let candidate = Swift.max(first.minTime, floor)
                minTime = Swift.min(minTime ?? candidate, candidate)
            }
        }
        func top(_ list: [HeadStatus.Count]) -> [HeadStatus.Count] {
            Array(list.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(limit))
        }
        return HeadStatus(
            numSeries: seriesCount, numLabelPairs: labelPairs, chunkCount: chunks, minTime: minTime,
            maxTime: head.statistics.maxTime, seriesCountByMetricName: top(metrics),
            labelValueCountByLabelName: top(valueCounts), memoryInBytesByLabelName: top(bytes),
            seriesCountByLabelValuePair: top(pairs))
    }

    /// The database's own metrics for the server's `/metrics` (Prometheus's `prometheus_tsdb_*`, renamed).
    public func metricFamilies() -> [MetricFamily] {
        var set = MetricSet()
        let statistics = head.statistics
        let counters = maintenanceCounters.withLock { $0 }
        let blocks = state.withLock { $0.blocks }
        set.gauge("vigil_tsdb_head_series", help: "Series in the head block.", value: Double(statistics.seriesCount))
        set.gauge(
            "vigil_tsdb_head_samples", help: "Samples held in the head block.", value: Double(statistics.sampleCount))
        if let maxTime = statistics.maxTime {
            set.gauge(
                "vigil_tsdb_head_max_time_seconds", help: "Newest sample time in the head.",
                value: Double(maxTime) / 1000)
        }
        for (code, count) in statistics.rejectedSamples.sorted(by: { $0.key.description < $1.key.description }) {
            set.counter(
                "vigil_tsdb_samples_rejected_total", help: "Samples refused by the head, by reason.",
                labels: ["reason": code.description], value: Double(count))
        }
        set.gauge("vigil_tsdb_blocks_loaded", help: "Blocks being served.", value: Double(blocks.count))
        set.gauge(
            "vigil_tsdb_storage_blocks_bytes", help: "Bytes of the blocks being served.",
            value: Double(blocks.reduce(0) { $0 + $1.byteCount }))
        set.gauge(
            "vigil_tsdb_blocks_quarantined", help: "Damaged blocks moved aside at open (named *.damaged).",
            value: Double(quarantined.count))
        set.counter(
            "vigil_tsdb_compactions_total", help: "Maintenance passes (cut, compact, retention) run.",
            value: Double(counters.passes))
        set.counter(
            "vigil_tsdb_compactions_failed_total", help: "Maintenance passes that failed.",
            value: Double(counters.failures))
        set.counter(
            "vigil_tsdb_blocks_written_total", help: "Blocks written by cutting the head or compacting.",
            value: Double(counters.blocksWritten))
        set.counter(
            "vigil_tsdb_retention_blocks_deleted_total", help: "Blocks deleted by time or size retention.",
            value: Double(counters.blocksDeleted))
        return set.families
    }
}
