import VigilModel
import VigilStorage

/// What `/api/v1/status/tsdb` reports: head statistics and the cardinality top lists.
public protocol TSDBStatusProvider: Sendable {
    /// The statistics with each top list cut to `limit` entries.
    func tsdbStatus(limit: Int) async throws -> TSDBStatus
}

/// Prometheus's `TSDBStatus` (`/api/v1/status/tsdb`).
public struct TSDBStatus: Sendable, Hashable {
    public struct HeadStats: Sendable, Hashable {
        public var numSeries: UInt64
        /// Distinct label name and value pairs.
        public var numLabelPairs: Int
        public var chunkCount: Int64
        /// Milliseconds since the epoch.
        public var minTime: Int64
        public var maxTime: Int64

        public init(numSeries: UInt64, numLabelPairs: Int, chunkCount: Int64, minTime: Int64, maxTime: Int64) {
            self.numSeries = numSeries
            self.numLabelPairs = numLabelPairs
            self.chunkCount = chunkCount
            self.minTime = minTime
            self.maxTime = maxTime
        }
    }

    /// One entry of a top list: a name and its count.
    public struct Stat: Sendable, Hashable {
        public var name: String
        public var value: UInt64

        public init(name: String, value: UInt64) {
            self.name = name
            self.value = value
        }
    }

    public var headStats: HeadStats
    public var seriesCountByMetricName: [Stat]
    public var labelValueCountByLabelName: [Stat]
    public var memoryInBytesByLabelName: [Stat]
    public var seriesCountByLabelValuePair: [Stat]

    public init(
        headStats: HeadStats, seriesCountByMetricName: [Stat], labelValueCountByLabelName: [Stat],
        memoryInBytesByLabelName: [Stat], seriesCountByLabelValuePair: [Stat]
    ) {
        self.headStats = headStats
        self.seriesCountByMetricName = seriesCountByMetricName
        self.labelValueCountByLabelName = labelValueCountByLabelName
        self.memoryInBytesByLabelName = memoryInBytesByLabelName
        self.seriesCountByLabelValuePair = seriesCountByLabelValuePair
    }
}

/// Computes ``TSDBStatus`` from any ``Queryable`` by reading every series once, as Prometheus computes its
/// head statistics from the head's postings: for the in-memory storage, and for any storage without
/// statistics of its own. Memory per label name is Prometheus's estimate, (name + value length) × series.
public struct QueryableTSDBStatus: TSDBStatusProvider {
    public let storage: any Queryable

    public init(storage: any Queryable) { self.storage = storage }

    public func tsdbStatus(limit: Int) async throws -> TSDBStatus {
        let querier = try storage.querier(mint: Int64.min / 2, maxt: Int64.max / 2)
        var set = try querier.select(
            sorted: false, hints: nil, matchers: [try LabelMatcher(.regexMatch, metricNameLabel, ".+")])
        var numSeries: UInt64 = 0
        var minTime = Int64.max
        var maxTime = Int64.min
        // label name → label value → series count
        var postings: [String: [String: UInt64]] = [:]
        while let series = try set.next() {
            numSeries += 1
            for label in series.labels { postings[label.name, default: [:]][label.value, default: 0] += 1 }
            var iterator = series.makeSampleIterator()
            var first: Int64?
            var last: Int64?
            while iterator.next() {
                let timestamp = iterator.at().timestamp
                if first == nil { first = timestamp }
                last = timestamp
            }
            if let first, let last {
                minTime = min(minTime, first)
                maxTime = max(maxTime, last)
            }
        }
        var byMetric: [TSDBStatus.Stat] = []
        var valueCounts: [TSDBStatus.Stat] = []
        var memory: [TSDBStatus.Stat] = []
        var pairs: [TSDBStatus.Stat] = []
        var numLabelPairs = 0
        for (name, values) in postings {
            valueCounts.append(.init(name: name, value: UInt64(values.count)))
            numLabelPairs += values.count
            var bytes: UInt64 = 0
            for (value, count) in values {
                if name == metricNameLabel { byMetric.append(.init(name: value, value: count)) }
                pairs.append(.init(name: "\(name)=\(value)", value: count))
                bytes += UInt64(name.utf8.count + value.utf8.count) * count
            }
            memory.append(.init(name: name, value: bytes))
        }
        func top(_ stats: [TSDBStatus.Stat]) -> [TSDBStatus.Stat] {
            Array(stats.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(limit))
        }
        return TSDBStatus(
            headStats: .init(
                numSeries: numSeries, numLabelPairs: numLabelPairs, chunkCount: 0,
                minTime: minTime, maxTime: maxTime),
            seriesCountByMetricName: top(byMetric), labelValueCountByLabelName: top(valueCounts),
            memoryInBytesByLabelName: top(memory), seriesCountByLabelValuePair: top(pairs))
    }
}
