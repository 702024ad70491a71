import Testing
import VigilExposition
import VigilModel

/// Builds protobuf bytes by hand for the tests, independently of the encoder under test.
enum Proto {
    static func varint(_ value: UInt64) -> [UInt8] {
        var rest = value
        var out: [UInt8] = []
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }

    static func bytes(_ field: UInt64, _ content: [UInt8]) -> [UInt8] {
        tag(field, 2) + varint(UInt64(content.count)) + content
    }

    static func string(_ field: UInt64, _ text: String) -> [UInt8] { bytes(field, Array(text.utf8)) }

    static func double(_ field: UInt64, _ value: Double) -> [UInt8] {
        let bits = value.bitPattern
        return tag(field, 1) + (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    static func int64(_ field: UInt64, _ value: Int64) -> [UInt8] {
        tag(field, 0) + varint(UInt64(bitPattern: value))
    }

    static func label(_ name: String, _ value: String) -> [UInt8] { string(1, name) + string(2, value) }

    static func sample(_ value: Double, _ timestamp: Int64) -> [UInt8] { double(1, value) + int64(2, timestamp) }
}

@Suite("remote_write codec")
struct RemoteWriteCodecTests {
    static let request = RemoteWriteRequest(
        timeSeries: [
            .init(
                labels: [Label("__name__", "up"), Label("job", "node"), Label("instance", "gpu-01:9471")],
                samples: [Sample(1_700_000_000_000, 1), Sample(1_700_000_015_000, 0), Sample(1_700_000_030_000, -0.0)]
            ),
            .init(
                labels: [Label("__name__", "DCGM_FI_DEV_GPU_TEMP"), Label("modelName", "NVIDIA H100 80GB HBM3 — ü")],
                samples: [
                    Sample(-5, .nan), Sample(0, staleNaN), Sample(.max, .infinity), Sample(.min, -.infinity),
                    Sample(7, .leastNonzeroMagnitude),
                ],
                exemplars: [
                    Exemplar(labels: ["trace_id": "abc123"], value: 0.25, timestampMs: 1_700_000_000_123),
                    Exemplar(labels: [:], value: 0, timestampMs: 0),
                ]),
            // Repeated names, empty values and no samples survive the codec as sent.
            .init(labels: [Label("b", ""), Label("a", "1"), Label("a", "2")]),
            .init(labels: []),
        ],
        metadata: MetricType.allCases.map {
            RemoteWriteMetadata(type: $0, familyName: "family_\($0)", help: "Help with \"quotes\"\n", unit: "")
        } + [RemoteWriteMetadata(type: .unknown, familyName: "")])

    @Test func roundTripKeepsEverySeriesSampleExemplarAndMetadata() throws {
        var bytes: [UInt8] = []
        RemoteWriteEncoder.append(Self.request, to: &bytes)
        var decoder = RemoteWriteDecoder()
        try decoder.decode(bytes)
        #expect(decoder.request() == Self.request)
        #expect(decoder.samples.count == 8)
        #expect(decoder.series.map(\.samples.count) == [3, 5, 0, 0])
        // NaN payloads come back bit for bit (the equality above treats NaNs by bits too).
        #expect(decoder.samples[4].value.bitPattern == staleNaN.bitPattern)
        #expect(decoder.samples[2].value.sign == .minus)
    }

    @Test func encoderAppendsAfterWhatTheBufferHolds() throws {
        var bytes: [UInt8] = [0xde, 0xad]
        RemoteWriteEncoder.append(Self.request, to: &bytes)
        #expect(bytes.prefix(2) == [0xde, 0xad])
        var separate: [UInt8] = []
        RemoteWriteEncoder.append(Self.request, to: &separate)
        #expect(Array(bytes.dropFirst(2)) == separate)
    }

    @Test func singleSampleSeriesMatchesTheSliceForm() {
        var one: [UInt8] = []
        RemoteWriteEncoder.appendTimeSeries(labels: [Label("__name__", "x")], sample: Sample(5, 2.5), to: &one)
        var slice: [UInt8] = []
        RemoteWriteEncoder.appendTimeSeries(
            labels: [Label("__name__", "x")], samples: [Sample(5, 2.5)][...], to: &slice)
        #expect(one == slice)
    }

    /// The bytes for one series with one sample, worked out by hand from the field layout in
    /// `prompb/types.proto`: what Prometheus's generated marshaller writes for the same request.
    @Test func knownAnswerForTheSmallestUsefulRequest() {
        var bytes: [UInt8] = []
        RemoteWriteEncoder.append(
            RemoteWriteRequest(timeSeries: [.init(labels: [Label("__name__", "up")], samples: [Sample(1000, 1)])]),
            to: &bytes)
        let expected: [UInt8] =
            [0x0a, 0x1e]  // WriteRequest.timeseries, 30 bytes
            + [0x0a, 0x0e]  // TimeSeries.labels, 14 bytes
            + [0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x02] + Array("up".utf8)
            + [0x12, 0x0c]  // TimeSeries.samples, 12 bytes
            + [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]  // value 1.0, little-endian IEEE 754
            + [0x10, 0xe8, 0x07]  // timestamp 1000
        #expect(bytes == expected)
    }

    @Test func decoderIsReusableAcrossRequestsAndAfterErrors() throws {
        var decoder = RemoteWriteDecoder()
        var first: [UInt8] = []
        RemoteWriteEncoder.append(Self.request, to: &first)
        try decoder.decode(first)
        #expect(throws: ExpositionError.self) { try decoder.decode([0x0a, 0x05]) }
        #expect(decoder.series.isEmpty && decoder.samples.isEmpty && decoder.labels.isEmpty)
        let small = RemoteWriteRequest(timeSeries: [.init(labels: [Label("__name__", "a")], samples: [Sample(1, 2)])])
        var second: [UInt8] = []
        RemoteWriteEncoder.append(small, to: &second)
        try decoder.decode(second)
        #expect(decoder.request() == small)
        try decoder.decode([])
        #expect(decoder.request() == RemoteWriteRequest())
    }

    @Test func absentFieldsDecodeAsTheirDefaults() throws {
        // A sample with neither field, a label with neither field, metadata with none.
        let bytes = Proto.bytes(1, Proto.bytes(1, []) + Proto.bytes(2, [])) + Proto.bytes(3, [])
        var decoder = RemoteWriteDecoder()
        try decoder.decode(bytes)
        #expect(
            decoder.request()
                == RemoteWriteRequest(
                    timeSeries: [.init(labels: [Label("", "")], samples: [Sample(0, 0)])],
                    metadata: [RemoteWriteMetadata(type: .unknown, familyName: "")]))
    }

    @Test func laterOccurrenceOfASingularFieldWins() throws {
        let label = Proto.string(1, "first") + Proto.string(2, "v") + Proto.string(1, "__name__")
        let sample = Proto.sample(1, 10) + Proto.int64(2, 20)
        var decoder = RemoteWriteDecoder()
        try decoder.decode(Proto.bytes(1, Proto.bytes(1, label) + Proto.bytes(2, sample)))
        #expect(decoder.labels == [Label("__name__", "v")])
        #expect(decoder.samples == [Sample(20, 1)])
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkippedAtEveryLevel() throws {
        let unknown: [UInt8] =
            Proto.tag(9, 0) + Proto.varint(UInt64.max)  // varint, 10 bytes
            + Proto.tag(10, 1) + [1, 2, 3, 4, 5, 6, 7, 8]  // 64-bit
            + Proto.string(11, "ignored")  // length-delimited
            + Proto.tag(12, 5) + [1, 2, 3, 4]  // 32-bit
            + Proto.tag(13, 3) + Proto.tag(1, 0) + [0x05] + Proto.tag(14, 3) + Proto.tag(14, 4)
            + Proto.string(2, "in group") + Proto.tag(13, 4)  // nested groups
            + Proto.tag(536_870_911, 0) + [0x00]  // the largest field number
        let label = unknown + Proto.label("__name__", "m") + unknown
        let sample = unknown + Proto.sample(2.5, 99) + unknown
        let exemplar = unknown + Proto.bytes(1, Proto.label("trace_id", "t")) + Proto.double(2, 1) + unknown
        let series =
            unknown + Proto.bytes(1, label) + Proto.bytes(2, sample) + Proto.bytes(3, exemplar) + unknown
            + Proto.bytes(4, unknown) + Proto.bytes(4, [])
        let metadata = unknown + Proto.int64(1, 2) + Proto.string(2, "m") + Proto.string(3, "x") + unknown
        let request = unknown + Proto.bytes(1, series) + Proto.tag(2, 0) + [0x01] + Proto.bytes(3, metadata) + unknown
        var decoder = RemoteWriteDecoder()
        try decoder.decode(request)
        #expect(
            decoder.request()
                == RemoteWriteRequest(
                    timeSeries: [
                        .init(
                            labels: [Label("__name__", "m")], samples: [Sample(99, 2.5)],
                            exemplars: [Exemplar(labels: ["trace_id": "t"], value: 1, timestampMs: 0)],
                            histogramCount: 2)
                    ],
                    metadata: [RemoteWriteMetadata(type: .gauge, familyName: "m")]))
        #expect(decoder.histogramCount == 2)
    }

    @Test func metricTypeNumbersFollowTheProtoEnum() {
        #expect(MetricType.allCases.map(\.remoteWriteNumber).sorted() == Array(0...7))
        for type in MetricType.allCases { #expect(MetricType(remoteWriteNumber: type.remoteWriteNumber) == type) }
        #expect(MetricType(remoteWriteNumber: 8) == .unknown)
        #expect(MetricType.counter.remoteWriteNumber == 1 && MetricType.summary.remoteWriteNumber == 5)
    }
}
