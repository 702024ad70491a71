import VigilModel

/// A remote_write 1.0 `prometheus.WriteRequest` as plain values: what ``RemoteWriteDecoder/request()``
/// returns and what ``RemoteWriteEncoder/append(_:to:)`` writes.
///
/// Hot paths do not build this: the receiver reads a ``RemoteWriteDecoder``'s flat arrays and the sender
/// encodes series straight from its queue. See `docs/format/remote-write.md` for the wire format.
public struct RemoteWriteRequest: Sendable, Equatable {
    /// One `prometheus.TimeSeries`: labels as sent (in wire order, names possibly repeated, empty values
    /// kept), samples and exemplars in wire order. Native histograms are not decoded, only counted.
    public struct TimeSeries: Sendable, Equatable {
        public var labels: [Label]
        public var samples: [Sample]
        public var exemplars: [Exemplar]
        /// How many `histograms` entries (field 4) the series carried; they are skipped.
        public var histogramCount: Int

        public init(labels: [Label], samples: [Sample] = [], exemplars: [Exemplar] = [], histogramCount: Int = 0) {
            self.labels = labels
            self.samples = samples
            self.exemplars = exemplars
            self.histogramCount = histogramCount
        }
    }

    public var timeSeries: [TimeSeries]
    public var metadata: [RemoteWriteMetadata]

    public init(timeSeries: [TimeSeries] = [], metadata: [RemoteWriteMetadata] = []) {
        self.timeSeries = timeSeries
        self.metadata = metadata
    }
}

/// One `prometheus.MetricMetadata`: a metric family's type, help and unit.
public struct RemoteWriteMetadata: Sendable, Equatable {
    public var type: MetricType
    public var familyName: String
    public var help: String
    public var unit: String

    public init(type: MetricType, familyName: String, help: String = "", unit: String = "") {
        self.type = type
        self.familyName = familyName
        self.help = help
        self.unit = unit
    }
}

extension MetricType {
    /// The `MetricMetadata.MetricType` enum number on the wire.
    public var remoteWriteNumber: UInt64 {
        switch self {
        case .unknown: 0
        case .counter: 1
        case .gauge: 2
        case .histogram: 3
        case .gaugehistogram: 4
        case .summary: 5
        case .info: 6
        case .stateset: 7
        }
    }

    /// The type for a wire enum number; numbers this version does not know (proto3 enums are open) are
    /// ``unknown``.
    public init(remoteWriteNumber: UInt64) {
        switch remoteWriteNumber {
        case 1: self = .counter
        case 2: self = .gauge
        case 3: self = .histogram
        case 4: self = .gaugehistogram
        case 5: self = .summary
        case 6: self = .info
        case 7: self = .stateset
        default: self = .unknown
        }
    }
}
