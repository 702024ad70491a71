import Testing
import VigilExposition
import VigilModel

/// One malformed message and the error it must produce.
struct BadMessage: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var offset: Int
    var message: String
    var code: ExpositionError.Code = .protobuf

    var testDescription: String { name }
}

@Suite("remote_write decoder errors")
struct RemoteWriteDecoderErrorTests {
    /// A series `{__name__="up"}`: 16 bytes of labels field, so what follows it in a series starts at 18 when
    /// the series is the request's first field with a one-byte length.
    static let nameLabel = Proto.bytes(1, Proto.label("__name__", "up"))

    static let cases: [BadMessage] = [
        BadMessage(
            name: "truncated tag", bytes: [0x8a], offset: 0,
            message: "truncated varint (field tag) at the end of the WriteRequest"),
        BadMessage(
            name: "truncated length", bytes: [0x0a, 0x80, 0x80], offset: 1,
            message: "truncated varint (length) at the end of the WriteRequest"),
        BadMessage(
            name: "length past the end", bytes: [0x0a, 0x05, 0x0a], offset: 1,
            message:
                "length 5 of WriteRequest field 1 (timeseries) runs past the end of the WriteRequest (1 bytes left)"
        ),
        BadMessage(
            name: "huge length", bytes: [0x1a] + Proto.varint(UInt64.max), offset: 1,
            message:
                "length 18446744073709551615 of WriteRequest field 3 (metadata) runs past the end of the WriteRequest (0 bytes left)"
        ),
        BadMessage(
            name: "nested length past its parent", bytes: Proto.bytes(1, [0x0a, 0x05, 0x0a, 0x00]) + [0, 0, 0],
            offset: 3,
            message: "length 5 of TimeSeries field 1 (labels) runs past the end of the TimeSeries (2 bytes left)"),
        BadMessage(
            name: "timeseries as varint", bytes: [0x08, 0x01], offset: 0,
            message: "WriteRequest field 1 (timeseries) has wire type 0 (varint), expected 2 (length-delimited)"),
        BadMessage(
            name: "metadata as 32-bit", bytes: [0x1d, 1, 2, 3, 4], offset: 0,
            message: "WriteRequest field 3 (metadata) has wire type 5 (32-bit), expected 2 (length-delimited)"),
        BadMessage(
            name: "sample value as varint", bytes: Proto.bytes(1, nameLabel + Proto.bytes(2, [0x08, 0x01])),
            offset: 20,
            message: "Sample field 1 (value) has wire type 0 (varint), expected 1 (64-bit)"),
        BadMessage(
            name: "sample timestamp as 64-bit",
            bytes: Proto.bytes(1, Proto.bytes(2, Proto.double(2, 1))), offset: 4,
            message: "Sample field 2 (timestamp) has wire type 1 (64-bit), expected 0 (varint)"),
        BadMessage(
            name: "label name as varint", bytes: Proto.bytes(1, Proto.bytes(1, [0x08, 0x00])), offset: 4,
            message: "Label field 1 (name) has wire type 0 (varint), expected 2 (length-delimited)"),
        BadMessage(
            name: "label value as 32-bit", bytes: Proto.bytes(1, Proto.bytes(1, [0x15, 0, 0, 0, 0])), offset: 4,
            message: "Label field 2 (value) has wire type 5 (32-bit), expected 2 (length-delimited)"),
        BadMessage(
            name: "histogram as varint", bytes: Proto.bytes(1, [0x20, 0x01]), offset: 2,
            message: "TimeSeries field 4 (histograms) has wire type 0 (varint), expected 2 (length-delimited)"),
        BadMessage(
            name: "exemplar timestamp as length-delimited",
            bytes: Proto.bytes(1, Proto.bytes(3, Proto.string(3, "x"))), offset: 4,
            message: "Exemplar field 3 (timestamp) has wire type 2 (length-delimited), expected 0 (varint)"),
        BadMessage(
            name: "metadata type as 64-bit", bytes: Proto.bytes(3, Proto.double(1, 1)), offset: 2,
            message: "MetricMetadata field 1 (type) has wire type 1 (64-bit), expected 0 (varint)"),
        BadMessage(
            name: "truncated sample value", bytes: Proto.bytes(1, Proto.bytes(2, [0x09, 1, 2, 3])), offset: 5,
            message: "Sample field 1 (value) needs 8 bytes, 3 left"),
        BadMessage(
            name: "truncated timestamp inside its sample",
            bytes: Proto.bytes(1, Proto.bytes(2, [0x10, 0xff]) + [0x01]), offset: 5,
            message: "truncated varint (timestamp) at the end of the Sample"),
        BadMessage(
            name: "timestamp over 64 bits",
            bytes: Proto.bytes(1, Proto.bytes(2, [0x10] + Array(repeating: 0xff, count: 10) + [0x01])),
            offset: 5, message: "varint (timestamp) in Sample does not fit in 64 bits"),
        BadMessage(
            name: "field number 0", bytes: [0x02, 0x00], offset: 0, message: "invalid field number 0 in WriteRequest"),
        BadMessage(
            name: "field number past 2^29-1", bytes: Proto.tag(536_870_912, 0) + [0], offset: 0,
            message: "invalid field number 536870912 in WriteRequest"),
        BadMessage(
            name: "wire type 6", bytes: [0x3e, 0x00], offset: 0,
            message: "invalid wire type 6 for field 7 in WriteRequest"),
        BadMessage(
            name: "wire type 7 in a label", bytes: Proto.bytes(1, Proto.bytes(1, [0x3f])), offset: 4,
            message: "invalid wire type 7 for field 7 in Label"),
        BadMessage(
            name: "end group without start", bytes: [0x3c], offset: 0,
            message: "end-group for field 7 in WriteRequest without a matching start-group"),
        BadMessage(
            name: "group without end", bytes: Proto.bytes(1, [0x3b, 0x08, 0x01]), offset: 2,
            message: "group of field 7 in TimeSeries has no end-group"),
        BadMessage(
            name: "truncated unknown 32-bit", bytes: [0x55, 1, 2], offset: 1,
            message: "WriteRequest field 10 (unknown) needs 4 bytes, 2 left"),
        BadMessage(
            name: "truncated unknown varint", bytes: [0x48, 0x80], offset: 1,
            message: "truncated varint (unknown field) at the end of the WriteRequest"),
        BadMessage(
            name: "unknown length-delimited past the end", bytes: [0x5a, 0x03, 0x00], offset: 1,
            message: "length 3 of WriteRequest field 11 (unknown) runs past the end of the WriteRequest (1 bytes left)"),
        BadMessage(
            name: "label name not UTF-8", bytes: Proto.bytes(1, Proto.bytes(1, Proto.bytes(1, [0x61, 0xff]))),
            offset: 6, message: "label name is not valid UTF-8", code: .invalidLabels),
        BadMessage(
            name: "label value not UTF-8",
            bytes: Proto.bytes(1, Proto.bytes(1, Proto.string(1, "job") + Proto.bytes(2, [0xc3, 0x28]))),
            offset: 11, message: "value of label \"job\" is not valid UTF-8", code: .invalidLabels),
        BadMessage(
            name: "exemplar label not UTF-8",
            bytes: Proto.bytes(1, Proto.bytes(3, Proto.bytes(1, Proto.bytes(1, [0xed, 0xa0, 0x80])))), offset: 8,
            message: "label name is not valid UTF-8", code: .invalidLabels),
        BadMessage(
            name: "metadata help not UTF-8",
            bytes: Proto.bytes(3, Proto.string(2, "m") + Proto.bytes(4, [0xe2, 0x82])), offset: 7,
            message: "metadata help of \"m\" is not valid UTF-8", code: .invalidMetadata),
    ]

    @Test(arguments: cases)
    func badMessageIsRejectedWithItsOffset(_ bad: BadMessage) {
        var decoder = RemoteWriteDecoder()
        let error = #expect(throws: ExpositionError.self) { try decoder.decode(bad.bytes) }
        #expect(error?.code == bad.code)
        #expect(error?.offset == bad.offset)
        #expect(error?.message == bad.message)
        #expect(error?.description == "at byte \(bad.offset): \(bad.message)")
    }

    /// Every strict prefix of a valid request is either a valid request (it ends between top-level fields)
    /// or an error; none traps or reads past the end.
    @Test func everyPrefixOfAValidRequestDecodesOrThrows() throws {
        var bytes: [UInt8] = []
        RemoteWriteEncoder.append(RemoteWriteCodecTests.request, to: &bytes)
        var decoder = RemoteWriteDecoder()
        var accepted = 0
        for length in 0..<bytes.count {
            do throws(ExpositionError) {
                try decoder.decode(Array(bytes[..<length]))
                accepted += 1
            } catch {
                #expect(error.offset.map { $0 <= length } == true)
            }
        }
        // One valid prefix per top-level field boundary: 4 series and 9 metadata entries, plus the empty one.
        #expect(accepted == 13)
    }
}
