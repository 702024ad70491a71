/// The metric types of OpenMetrics 1.0; Prometheus text 0.0.4's `untyped` is ``unknown``.
public enum MetricType: String, Sendable, CaseIterable {
    case counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown
}

/// An exemplar attached to a counter or histogram bucket sample (OpenMetrics).
public struct Exemplar: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the Unix epoch, when the exemplar carries a timestamp.
    public var timestampMs: Int64?

    public init(labels: Labels, value: Double, timestampMs: Int64? = nil) {
        self.labels = labels
        self.value = value
        self.timestampMs = timestampMs
    }

    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels == rhs.labels && sameValue(lhs.value, rhs.value) && lhs.timestampMs == rhs.timestampMs
    }
}

/// One line of exposition: a full sample name (`foo_bucket`), its labels, value and optional timestamp.
public struct MetricSample: Sendable, Equatable {
    public var name: String
    /// The sample's labels, without `__name__`.
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the Unix epoch, when the exposition carries a timestamp.
    public var timestampMs: Int64?
    public var exemplar: Exemplar?

    public init(
        name: String, labels: Labels = Labels(), value: Double, timestampMs: Int64? = nil, exemplar: Exemplar? = nil
    ) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMs = timestampMs
        self.exemplar = exemplar
    }

    /// Values compare bit for bit (so NaN equals the same NaN, and the staleness marker only itself).
    public static func == (lhs: MetricSample, rhs: MetricSample) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels && sameValue(lhs.value, rhs.value)
            && lhs.timestampMs == rhs.timestampMs && lhs.exemplar == rhs.exemplar
    }
}

/// A metric family as exposed: name, type, help, unit and its samples in order.
///
/// ``name`` is the name a Prometheus text 0.0.4 `# TYPE` line carries, so a counter family is
/// `node_cpu_seconds_total` and an info family `node_uname_info`, exactly as node_exporter names them;
/// the OpenMetrics encoder derives the OpenMetrics family name (`node_cpu_seconds`) from it.
public struct MetricFamily: Sendable, Equatable {
    public var name: String
    public var type: MetricType
    public var help: String
    public var unit: String
    public var samples: [MetricSample]
    /// Label names to write first, in this order, when encoding (the rest follow sorted). Empty for the
    /// usual sorted order; dcgm-exporter's families use `gpu, UUID, pci_bus_id, device, modelName, …`.
    public var labelOrder: [String]

    public init(
        name: String, type: MetricType, help: String = "", unit: String = "", samples: [MetricSample] = [],
        labelOrder: [String] = []
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
        self.labelOrder = labelOrder
    }
}

/// Equal when both are the same number, or the same NaN bit pattern.
@inlinable
public func sameValue(_ lhs: Double, _ rhs: Double) -> Bool {
    lhs == rhs || lhs.bitPattern == rhs.bitPattern
}

/// Prometheus's staleness marker: a NaN with this exact bit pattern marks a series as gone.
public let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)
