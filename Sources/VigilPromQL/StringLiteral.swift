/// A string: `"a\n"`, `'b'` or `` `raw` ``, unquoted.
///
/// PromQL strings are byte strings: `"\xff"` is a valid literal whose value is not UTF-8. ``bytes`` keeps the exact
/// value (Prometheus rejects such a value where it must be a label name, and needs the bytes to say so);
/// ``value`` is the same text as a Swift string, with invalid sequences replaced by U+FFFD.
public struct StringLiteral: Sendable, Hashable {
    public var bytes: [UInt8]
    public var position: PositionRange

    public init(bytes: [UInt8], position: PositionRange = .zero) {
        self.bytes = bytes
        self.position = position
    }

    public init(_ value: String, position: PositionRange = .zero) {
        self.init(bytes: Array(value.utf8), position: position)
    }

    /// The value as text (invalid UTF-8 replaced by U+FFFD).
    public var value: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the value is valid UTF-8 (and so usable as a label name or value).
    public var isValidUTF8: Bool {
        var index = 0
        while index < bytes.count {
            let (rune, width) = GoStrconv.decodeRune(bytes, at: index)
            if rune == GoStrconv.runeError && width == 1 { return false }
            index += width
        }
        return true
    }

    /// The value quoted as Go's `%q` writes it (`"a\xc5z"`), as Prometheus's messages show strings.
    public var goQuoted: String { GoStrconv.quote(bytes: bytes) }
}
