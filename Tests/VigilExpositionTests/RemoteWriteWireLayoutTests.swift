import Testing
import VigilEncoding
import VigilExposition
import VigilModel

/// A second, deliberately naive reading of the protobuf wire format and of `prompb`'s field numbers, written
/// from the protobuf encoding spec and `types.proto` without the decoder under test: the encoder's output
/// must mean the same request to it.
enum IndependentWireReader {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    struct Malformed: Error {}

    static func fields(_ bytes: [UInt8]) throws -> [(number: UInt64, value: Value)] {
        var result: [(UInt64, Value)] = []
        var index = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, index + count <= bytes.count else { throw Malformed() }
            defer { index += count }
            return Array(bytes[index..<index + count])
        }
        func littleEndian(_ bytes: [UInt8]) -> UInt64 {
            bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        while index < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0: result.append((key >> 3, .varint(try varint())))
            case 1: result.append((key >> 3, .fixed64(littleEndian(try take(8)))))
            case 2: result.append((key >> 3, .bytes(try take(Int(try varint())))))
            case 5: result.append((key >> 3, .fixed32(UInt32(littleEndian(try take(4))))))
            default: throw Malformed()
            }
        }
        return result
    }

    static func string(_ value: Value) throws -> String {
        guard case .bytes(let bytes) = value, let string = String(validating: bytes, as: UTF8.self) else {
            throw Malformed()
        }
        return string
    }

    static func label(_ bytes: [UInt8]) throws -> Label {
        var label = Label("", "")
        for (number, value) in try fields(bytes) {
            if number == 1 { label.name = try string(value) }
            if number == 2 { label.value = try string(value) }
        }
        return label
    }

    static func request(_ bytes: [UInt8]) throws -> RemoteWriteRequest {
        var request = RemoteWriteRequest()
        for (number, value) in try fields(bytes) {
            guard case .bytes(let content) = value else { throw Malformed() }
            if number == 1 {
                var series = RemoteWriteRequest.TimeSeries(labels: [])
                for (number, value) in try fields(content) {
                    guard case .bytes(let inner) = value else { throw Malformed() }
                    switch number {
                    case 1: series.labels.append(try label(inner))
                    case 2:
                        var sample = Sample(0, 0)
                        for (number, value) in try fields(inner) {
                            if number == 1, case .fixed64(let bits) = value { sample.value = Double(bitPattern: bits) }
                            if number == 2, case .varint(let raw) = value { sample.timestamp = Int64(bitPattern: raw) }
                        }
                        series.samples.append(sample)
                    case 3:
                        var labels: [Label] = []
                        var exemplar = Exemplar(labels: Labels(), value: 0, timestampMs: 0)
                        for (number, value) in try fields(inner) {
                            if number == 1, case .bytes(let labelBytes) = value { labels.append(try label(labelBytes)) }
                            if number == 2, case .fixed64(let bits) = value {
                                exemplar.value = Double(bitPattern: bits)
                            }
                            if number == 3, case .varint(let raw) = value {
                                exemplar.timestampMs = Int64(bitPattern: raw)
                            }
                        }
                        exemplar.labels = Labels(labels)
                        series.exemplars.append(exemplar)
                    default: throw Malformed()
                    }
                }
                request.timeSeries.append(series)
            } else if number == 3 {
                var metadata = RemoteWriteMetadata(type: .unknown, familyName: "")
                for (number, value) in try fields(content) {
                    switch (number, value) {
                    case (1, .varint(let type)):
                        metadata.type =
                            [
                                .unknown, .counter, .gauge, .histogram, .gaugehistogram, .summary, .info,
                                .stateset,
                            ][Int(type)]
                    case (2, _): metadata.familyName = try string(value)
                    case (4, _): metadata.help = try string(value)
                    case (5, _): metadata.unit = try string(value)
                    default: throw Malformed()
                    }
                }
                request.metadata.append(metadata)
            } else {
                throw Malformed()
            }
        }
        return request
    }
}

@Suite("remote_write wire layout")
struct RemoteWriteWireLayoutTests {
    static func randomRequest(_ generator: inout SplitMix64) -> RemoteWriteRequest {
        let words = ["", "a", "job", "node", "gpu", "éß", "🙂", String(repeating: "x", count: 200), "__name__"]
        func word() -> String { words[Int(generator.next() % UInt64(words.count))] }
        var request = RemoteWriteRequest()
        for _ in 0..<Int(generator.next() % 20) {
            var series = RemoteWriteRequest.TimeSeries(labels: [Label("__name__", "m\(generator.next() % 50)")])
            for _ in 0..<Int(generator.next() % 6) { series.labels.append(Label(word(), word())) }
            for _ in 0..<Int(generator.next() % 300) {
                let timestamp = Int64(bitPattern: generator.next()) >> Int(generator.next() % 64)
                let value = Double(bitPattern: generator.next())
                series.samples.append(Sample(timestamp, value))
            }
            if generator.next() % 4 == 0 {
                series.exemplars.append(
                    Exemplar(
                        labels: Labels([Label("trace_id", word() + "1")]), value: Double(generator.next() % 1000),
                        timestampMs: Int64(generator.next() % 1_000_000)))
            }
            request.timeSeries.append(series)
        }
        for type in MetricType.allCases where generator.next() % 2 == 0 {
            request.metadata.append(RemoteWriteMetadata(type: type, familyName: word(), help: word(), unit: word()))
        }
        return request
    }

    @Test(arguments: 0..<20)
    func encoderOutputMeansTheSameToAnIndependentReader(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let request = Self.randomRequest(&generator)
        var bytes: [UInt8] = []
        RemoteWriteEncoder.append(request, to: &bytes)
        #expect(try IndependentWireReader.request(bytes) == request)
        var decoder = RemoteWriteDecoder()
        try decoder.decode(bytes)
        #expect(decoder.request() == request)
    }

    /// The decoder reads what an independent writer (the test's ``Proto``) produces, field order shuffled
    /// and defaults written out explicitly, as other producers (VictoriaMetrics' vmagent, OpenTelemetry's
    /// exporter) may.
    @Test func decoderReadsFieldsInAnyOrderWithExplicitDefaults() throws {
        let sample = Proto.int64(2, 1_700_000_000_000) + Proto.double(1, 3.5)
        let zeroSample = Proto.int64(2, 0) + Proto.double(1, 0)
        let series =
            Proto.bytes(2, sample) + Proto.bytes(1, Proto.string(2, "v") + Proto.string(1, "job"))
            + Proto.bytes(2, zeroSample) + Proto.bytes(1, Proto.label("__name__", "m"))
        let metadata = Proto.string(5, "seconds") + Proto.string(2, "m") + Proto.int64(1, 1) + Proto.string(4, "")
        var decoder = RemoteWriteDecoder()
        try decoder.decode(Proto.bytes(3, metadata) + Proto.bytes(1, series))
        #expect(
            decoder.request()
                == RemoteWriteRequest(
                    timeSeries: [
                        .init(
                            labels: [Label("job", "v"), Label("__name__", "m")],
                            samples: [Sample(1_700_000_000_000, 3.5), Sample(0, 0)])
                    ],
                    metadata: [RemoteWriteMetadata(type: .counter, familyName: "m", unit: "seconds")]))
    }
}
