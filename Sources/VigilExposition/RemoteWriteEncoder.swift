import VigilEncoding
import VigilModel

/// Encodes remote_write 1.0 `prometheus.WriteRequest` protobuf messages, appending to a caller's buffer.
///
/// A `WriteRequest` is nothing but its repeated fields one after the other, so a request is built by
/// appending time series (and metadata) one at a time: the sender encodes straight from its queue, with one
/// size pass and one write pass per series and no allocation per sample. Like Prometheus's generated code,
/// fields holding their default (empty string, 0 timestamp, +0.0 value) are left out; −0.0 is written.
public enum RemoteWriteEncoder {
    /// Appends every series and metadata entry of `request`.
    public static func append(_ request: RemoteWriteRequest, to buffer: inout [UInt8]) {
        for series in request.timeSeries {
            appendTimeSeries(
                labels: series.labels, samples: series.samples[...], exemplars: series.exemplars, to: &buffer)
        }
        for metadata in request.metadata {
            appendMetadata(metadata, to: &buffer)
        }
    }

    /// Appends one `TimeSeries` (`WriteRequest` field 1) with `labels` in the order given.
    public static func appendTimeSeries(
        labels: [Label], samples: ArraySlice<Sample>, exemplars: [Exemplar] = [], to buffer: inout [UInt8]
    ) {
        appendSeries(labels: labels, samples: samples, exemplars: exemplars, to: &buffer)
    }

    /// Appends one `TimeSeries` holding a single sample.
    public static func appendTimeSeries(labels: [Label], sample: Sample, to buffer: inout [UInt8]) {
        appendSeries(labels: labels, samples: CollectionOfOne(sample), exemplars: [], to: &buffer)
    }

    private static func appendSeries(
        labels: [Label], samples: some Collection<Sample>, exemplars: [Exemplar], to buffer: inout [UInt8]
    ) {
        var size = 0
        for label in labels { size += messageFieldSize(labelSize(label)) }
        for sample in samples { size += messageFieldSize(sampleSize(sample)) }
        for exemplar in exemplars { size += messageFieldSize(exemplarSize(exemplar)) }
        buffer.reserveCapacity(buffer.count + messageFieldSize(size))
        appendTag(1, wireType: 2, to: &buffer)
        Varint.appendUnsigned(UInt64(size), to: &buffer)
        for label in labels { appendLabelField(1, label, to: &buffer) }
        for sample in samples {
            appendTag(2, wireType: 2, to: &buffer)
            Varint.appendUnsigned(UInt64(sampleSize(sample)), to: &buffer)
            appendDouble(1, sample.value, to: &buffer)
            appendInt64(2, sample.timestamp, to: &buffer)
        }
        for exemplar in exemplars {
            appendTag(3, wireType: 2, to: &buffer)
            Varint.appendUnsigned(UInt64(exemplarSize(exemplar)), to: &buffer)
            for label in exemplar.labels { appendLabelField(1, label, to: &buffer) }
            appendDouble(2, exemplar.value, to: &buffer)
            appendInt64(3, exemplar.timestampMs ?? 0, to: &buffer)
        }
    }

    /// Appends one `MetricMetadata` (`WriteRequest` field 3).
    public static func appendMetadata(_ metadata: RemoteWriteMetadata, to buffer: inout [UInt8]) {
        let type = metadata.type.remoteWriteNumber
        var size = type == 0 ? 0 : 1 + Varint.length(ofUnsigned: type)
        size += stringFieldSize(metadata.familyName)
        size += stringFieldSize(metadata.help)
        size += stringFieldSize(metadata.unit)
        appendTag(3, wireType: 2, to: &buffer)
        Varint.appendUnsigned(UInt64(size), to: &buffer)
        if type != 0 {
            appendTag(1, wireType: 0, to: &buffer)
            Varint.appendUnsigned(type, to: &buffer)
        }
        appendString(2, metadata.familyName, to: &buffer)
        appendString(4, metadata.help, to: &buffer)
        appendString(5, metadata.unit, to: &buffer)
    }

    // MARK: - Sizes

    /// A length-delimited field with a one-byte tag and `size` bytes of content.
    @inline(__always)
    static func messageFieldSize(_ size: Int) -> Int {
        1 + Varint.length(ofUnsigned: UInt64(size)) + size
    }

    @inline(__always)
    static func stringFieldSize(_ string: String) -> Int {
        let count = string.utf8.count
        return count == 0 ? 0 : messageFieldSize(count)
    }

    @inline(__always)
    static func labelSize(_ label: Label) -> Int {
        stringFieldSize(label.name) + stringFieldSize(label.value)
    }

    @inline(__always)
    static func sampleSize(_ sample: Sample) -> Int {
        (sample.value.bitPattern == 0 ? 0 : 9)
            + (sample.timestamp == 0 ? 0 : 1 + Varint.length(ofUnsigned: UInt64(bitPattern: sample.timestamp)))
    }

    static func exemplarSize(_ exemplar: Exemplar) -> Int {
        var size = 0
        for label in exemplar.labels { size += messageFieldSize(labelSize(label)) }
        if exemplar.value.bitPattern != 0 { size += 9 }
        let timestamp = exemplar.timestampMs ?? 0
        if timestamp != 0 { size += 1 + Varint.length(ofUnsigned: UInt64(bitPattern: timestamp)) }
        return size
    }

    // MARK: - Writing

    @inline(__always)
    static func appendTag(_ number: UInt8, wireType: UInt8, to buffer: inout [UInt8]) {
        buffer.append(number << 3 | wireType)
    }

    @inline(__always)
    static func appendLabelField(_ number: UInt8, _ label: Label, to buffer: inout [UInt8]) {
        appendTag(number, wireType: 2, to: &buffer)
        Varint.appendUnsigned(UInt64(labelSize(label)), to: &buffer)
        appendString(1, label.name, to: &buffer)
        appendString(2, label.value, to: &buffer)
    }

    @inline(__always)
    static func appendString(_ number: UInt8, _ string: String, to buffer: inout [UInt8]) {
        let count = string.utf8.count
        guard count > 0 else { return }
        appendTag(number, wireType: 2, to: &buffer)
        Varint.appendUnsigned(UInt64(count), to: &buffer)
        buffer.append(contentsOf: string.utf8)
    }

    @inline(__always)
    static func appendDouble(_ number: UInt8, _ value: Double, to buffer: inout [UInt8]) {
        guard value.bitPattern != 0 else { return }
        appendTag(number, wireType: 1, to: &buffer)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendInt64(_ number: UInt8, _ value: Int64, to buffer: inout [UInt8]) {
        guard value != 0 else { return }
        appendTag(number, wireType: 0, to: &buffer)
        Varint.appendUnsigned(UInt64(bitPattern: value), to: &buffer)
    }
}
