import VigilModel

/// One element of an instant vector: a series' labels and its value at the evaluation time.
public struct VectorSample: Sendable, Hashable {
    public var labels: Labels
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var value: Double
    /// Prometheus 3's delayed `__name__` removal: the name goes when the query result is produced.
    var dropName: Bool

    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
        dropName = false
    }

    init(labels: Labels, timestamp: Int64, value: Double, dropName: Bool) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
        self.dropName = dropName
    }

    /// The labels that identify the element once the delayed name removal is applied.
    var identity: Labels { dropName ? labels.removing(metricNameLabel) : labels }
}

/// One series of a range vector (or of a range query's result): labels and samples in time order.
public struct MatrixSeries: Sendable, Hashable {
    public var labels: Labels
    public var samples: [Sample]
    var dropName: Bool

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
        dropName = false
    }

    init(labels: Labels, samples: [Sample], dropName: Bool) {
        self.labels = labels
        self.samples = samples
        self.dropName = dropName
    }
}

/// The value of a PromQL expression.
public enum QueryValue: Sendable, Hashable {
    case scalar(Double, timestamp: Int64)
    case string(String, timestamp: Int64)
    case vector([VectorSample])
    case matrix([MatrixSeries])

    public var type: ValueType {
        switch self {
        case .scalar: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        }
    }
}

/// What a query returns: its value and the annotations Prometheus attaches (warnings and infos).
public struct QueryResult: Sendable {
    public var value: QueryValue
    public var warnings: [String]
    public var infos: [String]
}
