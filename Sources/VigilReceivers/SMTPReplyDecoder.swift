import NIOCore

/// One SMTP reply: a three-digit code and its text lines (a multi-line reply's `250-` lines joined).
struct SMTPReply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: "\n") }
    /// 2xx and 3xx.
    var isPositive: Bool { (200..<400).contains(code) }
}

/// A reply line that is not `ddd`, `ddd text` or `ddd-text`.
struct SMTPMalformedReply: Error, CustomStringConvertible {
    var line: String
    var description: String { "the server sent a line that is not an SMTP reply: \"\(line.prefix(200))\"" }
}

/// Frames the server's byte stream into replies (RFC 5321 §4.2): lines end in CRLF (a bare LF is
/// accepted), `ddd-` continues a reply, `ddd ` ends it.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// A reply longer than this is refused rather than buffered without end.
    static let maximumLineLength = 4096

    private var pending: [String] = []
    private var pendingCode: Int?

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength {
                throw SMTPMalformedReply(line: String(buffer: buffer))
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-"),
            let code = Int(String(decoding: bytes[0...2], as: UTF8.self))
        else {
            throw SMTPMalformedReply(line: line)
        }
        if let pendingCode, pendingCode != code { throw SMTPMalformedReply(line: line) }
        pending.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") {
            pendingCode = code
            return .continue
        }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: pending)))
        pending = []
        pendingCode = nil
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }
}
