import VigilExposition
import VigilModel

/// How the sender turns queued samples into one `WriteRequest`.
public enum RemoteWriteBatch {
    /// Appends `batch` as one `WriteRequest`: one `TimeSeries` per series, holding that series' samples in
    /// the order they were queued (series in order of first appearance).
    public static func encode(_ batch: [RemoteWriteSample], into buffer: inout [UInt8]) {
        var order: [Labels] = []
        var bySeries: [Labels: [Sample]] = [:]
        bySeries.reserveCapacity(batch.count)
        for sample in batch {
            let point = Sample(sample.timestamp, sample.value)
            if bySeries[sample.labels]?.append(point) == nil {
                bySeries[sample.labels] = [point]
                order.append(sample.labels)
            }
        }
        for labels in order {
            RemoteWriteEncoder.appendTimeSeries(labels: labels.pairs, samples: bySeries[labels]![...], to: &buffer)
        }
    }
}
