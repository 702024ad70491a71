import VigilModel

/// Decodes remote_write 1.0 `prometheus.WriteRequest` protobuf messages (after snappy) into flat arrays,
/// reusable across requests: decode one, read ``series`` with ``labels``, ``samples`` and ``exemplars``,
/// decode the next. Capacity is kept between requests and label strings are interned, so a steady stream of
/// requests allocates nothing per sample and almost nothing per series.
///
/// Field layout, what is accepted and what is rejected: `docs/format/remote-write.md`. In short, unknown
/// fields of every wire type are skipped; native histograms (`TimeSeries` field 4) are skipped and counted;
/// a truncated varint, a length past the end of its message, a known field with the wrong wire type, an
/// invalid field number, or a label or metadata string that is not valid UTF-8 throws an ``ExpositionError``
/// with the byte ``ExpositionError/offset`` of the problem in the message. After an error the decoder is
/// empty and ready for the next request.
public struct RemoteWriteDecoder: Sendable {
    /// One `TimeSeries`: ranges into the decoder's flat arrays.
    public struct Series: Sendable, Equatable {
        /// The series' labels in ``RemoteWriteDecoder/labels``, in wire order (not sorted, names may repeat).
        public var labels: Range<Int>
        /// Its samples in ``RemoteWriteDecoder/samples``, in wire order.
        public var samples: Range<Int>
        /// Its exemplars in ``RemoteWriteDecoder/exemplars``.
        public var exemplars: Range<Int>
        /// How many native histograms it carried (skipped).
        public var histogramCount: Int
    }

    public private(set) var series: [Series] = []
    public private(set) var labels: [Label] = []
    public private(set) var samples: [Sample] = []
    public private(set) var exemplars: [Exemplar] = []
    public private(set) var metadata: [RemoteWriteMetadata] = []
    /// Native histograms in the request, all series together (skipped, not decoded).
    public private(set) var histogramCount = 0

    private var interner = StringInterner(entryLimit: 1 << 17)
    private var scratchLabels: [Label] = []

    public init() {}

    /// Decodes one request, replacing the previous one.
    public mutating func decode(_ bytes: [UInt8]) throws(ExpositionError) {
        var failure: ExpositionError?
        bytes.withUnsafeBytes { buffer in
            do throws(ExpositionError) {
                try decode(buffer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Decodes one request from raw memory (a network buffer), replacing the previous one.
    public mutating func decode(_ buffer: UnsafeRawBufferPointer) throws(ExpositionError) {
        removeAll()
        do {
            try decodeWriteRequest(buffer)
        } catch {
            removeAll()
            throw error
        }
    }

    /// Forgets the last request, keeping capacity.
    public mutating func removeAll() {
        series.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        samples.removeAll(keepingCapacity: true)
        exemplars.removeAll(keepingCapacity: true)
        metadata.removeAll(keepingCapacity: true)
        histogramCount = 0
    }

    /// The last request as values (allocates; for tests and small callers).
    public func request() -> RemoteWriteRequest {
        RemoteWriteRequest(
            timeSeries: series.map { entry in
                RemoteWriteRequest.TimeSeries(
                    labels: Array(labels[entry.labels]), samples: Array(samples[entry.samples]),
                    exemplars: Array(exemplars[entry.exemplars]), histogramCount: entry.histogramCount)
            },
            metadata: metadata)
    }

    // MARK: - Messages

    private mutating func decodeWriteRequest(_ buffer: UnsafeRawBufferPointer) throws(ExpositionError) {
        var reader = ProtobufReader(buffer: buffer)
        let end = buffer.count
        while reader.position < end {
            let field = try reader.field(end: end, in: "WriteRequest")
            switch field.number {
            case 1:
                let range = try reader.lengthDelimitedField(field, end: end, "timeseries", in: "WriteRequest")
                try decodeTimeSeries(&reader, end: range.upperBound)
            case 3:
                let range = try reader.lengthDelimitedField(field, end: end, "metadata", in: "WriteRequest")
                try decodeMetadata(&reader, end: range.upperBound)
            default:
                try reader.skip(field, end: end, in: "WriteRequest")
            }
        }
    }

    private mutating func decodeTimeSeries(_ reader: inout ProtobufReader, end: Int) throws(ExpositionError) {
        let labelStart = labels.count
        let sampleStart = samples.count
        let exemplarStart = exemplars.count
        var histograms = 0
        while reader.position < end {
            let field = try reader.field(end: end, in: "TimeSeries")
            switch field.number {
            case 1:
                let range = try reader.lengthDelimitedField(field, end: end, "labels", in: "TimeSeries")
                labels.append(try decodeLabel(&reader, end: range.upperBound))
            case 2:
                let range = try reader.lengthDelimitedField(field, end: end, "samples", in: "TimeSeries")
                samples.append(try decodeSample(&reader, end: range.upperBound))
            case 3:
                let range = try reader.lengthDelimitedField(field, end: end, "exemplars", in: "TimeSeries")
                exemplars.append(try decodeExemplar(&reader, end: range.upperBound))
            case 4:
                let range = try reader.lengthDelimitedField(field, end: end, "histograms", in: "TimeSeries")
                reader.position = range.upperBound
                histograms += 1
            default:
                try reader.skip(field, end: end, in: "TimeSeries")
            }
        }
        histogramCount += histograms
        series.append(
            Series(
                labels: labelStart..<labels.count, samples: sampleStart..<samples.count,
                exemplars: exemplarStart..<exemplars.count, histogramCount: histograms))
    }

    private mutating func decodeLabel(_ reader: inout ProtobufReader, end: Int) throws(ExpositionError) -> Label {
        var name = 0..<0
        var value = 0..<0
        while reader.position < end {
            let field = try reader.field(end: end, in: "Label")
            switch field.number {
            case 1:
                name = try reader.lengthDelimitedField(field, end: end, "name", in: "Label")
                reader.position = name.upperBound
            case 2:
                value = try reader.lengthDelimitedField(field, end: end, "value", in: "Label")
                reader.position = value.upperBound
            default:
                try reader.skip(field, end: end, in: "Label")
            }
        }
        guard let nameString = intern(reader.buffer, name) else {
            throw ExpositionError(
                code: .invalidLabels, offset: name.lowerBound, message: "label name is not valid UTF-8")
        }
        guard let valueString = intern(reader.buffer, value) else {
            throw ExpositionError(
                code: .invalidLabels, offset: value.lowerBound,
                message: "value of label \"\(nameString)\" is not valid UTF-8")
        }
        return Label(nameString, valueString)
    }

    @inline(__always)
    private func decodeSample(_ reader: inout ProtobufReader, end: Int) throws(ExpositionError) -> Sample {
        var value = 0.0
        var timestamp: Int64 = 0
        while reader.position < end {
            let field = try reader.field(end: end, in: "Sample")
            switch field.number {
            case 1:
                value = Double(bitPattern: try reader.fixed64Field(field, end: end, "value", in: "Sample"))
            case 2:
                timestamp = Int64(bitPattern: try reader.varintField(field, end: end, "timestamp", in: "Sample"))
            default:
                try reader.skip(field, end: end, in: "Sample")
            }
        }
        return Sample(timestamp, value)
    }

    private mutating func decodeExemplar(_ reader: inout ProtobufReader, end: Int) throws(ExpositionError) -> Exemplar {
        scratchLabels.removeAll(keepingCapacity: true)
        var value = 0.0
        var timestamp: Int64 = 0
        while reader.position < end {
            let field = try reader.field(end: end, in: "Exemplar")
            switch field.number {
            case 1:
                let range = try reader.lengthDelimitedField(field, end: end, "labels", in: "Exemplar")
                scratchLabels.append(try decodeLabel(&reader, end: range.upperBound))
            case 2:
                value = Double(bitPattern: try reader.fixed64Field(field, end: end, "value", in: "Exemplar"))
            case 3:
                timestamp = Int64(bitPattern: try reader.varintField(field, end: end, "timestamp", in: "Exemplar"))
            default:
                try reader.skip(field, end: end, in: "Exemplar")
            }
        }
        return Exemplar(labels: Labels(scratchLabels), value: value, timestampMs: timestamp)
    }

    private mutating func decodeMetadata(_ reader: inout ProtobufReader, end: Int) throws(ExpositionError) {
        var type = MetricType.unknown
        var strings: [Range<Int>] = [0..<0, 0..<0, 0..<0]  // family name, help, unit
        while reader.position < end {
            let field = try reader.field(end: end, in: "MetricMetadata")
            switch field.number {
            case 1:
                type = MetricType(
                    remoteWriteNumber: try reader.varintField(field, end: end, "type", in: "MetricMetadata"))
            case 2:
                strings[0] = try reader.lengthDelimitedField(
                    field, end: end, "metric_family_name", in: "MetricMetadata")
                reader.position = strings[0].upperBound
            case 4:
                strings[1] = try reader.lengthDelimitedField(field, end: end, "help", in: "MetricMetadata")
                reader.position = strings[1].upperBound
            case 5:
                strings[2] = try reader.lengthDelimitedField(field, end: end, "unit", in: "MetricMetadata")
                reader.position = strings[2].upperBound
            default:
                try reader.skip(field, end: end, in: "MetricMetadata")
            }
        }
        var values: [String] = []
        for (index, range) in strings.enumerated() {
            guard let string = String(validating: reader.buffer[range], as: UTF8.self) else {
                let what = ["metric family name", "help", "unit"][index]
                let family = values.first.map { " of \"\($0)\"" } ?? ""
                throw ExpositionError(
                    code: .invalidMetadata, offset: range.lowerBound,
                    message: "metadata \(what)\(family) is not valid UTF-8")
            }
            values.append(string)
        }
        metadata.append(RemoteWriteMetadata(type: type, familyName: values[0], help: values[1], unit: values[2]))
    }

    /// The string for `range` of `buffer`, or nil when its bytes are not valid UTF-8.
    @inline(__always)
    private mutating func intern(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
        if range.isEmpty { return "" }
        let start = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + range.lowerBound
        return interner.intern(start, count: range.count)?.string
    }
}
