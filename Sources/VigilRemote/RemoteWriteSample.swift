import VigilModel

/// One sample on its way to a remote_write receiver: the series it belongs to and the point.
public struct RemoteWriteSample: Sendable, Equatable {
    public var labels: Labels
    public var timestamp: Int64
    public var value: Double

    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }

    public static func == (lhs: RemoteWriteSample, rhs: RemoteWriteSample) -> Bool {
        lhs.labels == rhs.labels && lhs.timestamp == rhs.timestamp && sameValue(lhs.value, rhs.value)
    }
}

/// Where a ``RemoteWriteTee`` forwards committed samples: a ``RemoteWriteSender``'s queue.
public protocol RemoteWriteSampleSink: Sendable {
    /// Takes the samples of one committed transaction. Must not block: a full queue drops, it never waits.
    func enqueue(_ samples: [RemoteWriteSample])
}
