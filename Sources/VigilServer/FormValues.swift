import VigilModel

/// The parameters of a request, as Go's `http.Request.Form` holds them: the URL query followed by an
/// `application/x-www-form-urlencoded` body, keys and values unescaped (`+` is a space).
///
/// As in Go, a malformed pair is skipped and the first problem kept in ``parseError``; most endpoints ignore
/// it as Prometheus's `FormValue` does, `series` reports it.
struct FormValues: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []
    private(set) var parseError: String?

    init() {}

    /// Parses the query string (without `?`) and then the body, when it is a form.
    init(query: String?, body: [UInt8]?) {
        if let query { add(encoded: Array(query.utf8)) }
        if let body { add(encoded: body) }
    }

    mutating func add(encoded: [UInt8]) {
        for pair in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            // Go rejects a semicolon in the query since 1.17.
            if pair.contains(UInt8(ascii: ";")) {
                if parseError == nil { parseError = "invalid semicolon separator in query" }
                continue
            }
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0]
            let rawValue = parts.count > 1 ? parts[1] : []
            guard let name = Self.unescape(rawName) else {
                if parseError == nil {
                    parseError = "invalid URL escape \(GoQuote.quote(bytes: Self.badEscape(rawName)))"
                }
                continue
            }
            guard let value = Self.unescape(rawValue) else {
                if parseError == nil {
                    parseError = "invalid URL escape \(GoQuote.quote(bytes: Self.badEscape(rawValue)))"
                }
                continue
            }
            pairs.append((name, value))
        }
    }

    /// The first value of `name`, or "" when absent (Go's `FormValue`).
    subscript(name: String) -> String {
        pairs.first { $0.name == name }?.value ?? ""
    }

    /// Every value of `name`, in order (Go's `Form[name]`).
    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// Percent-decodes into bytes (with `+` as space); nil on a malformed escape.
    static func unescapeBytes(_ encoded: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                out.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                out.append(UInt8(ascii: " "))
            default:
                out.append(byte)
            }
        }
        return out
    }

    private static func unescape(_ encoded: some Collection<UInt8>) -> String? {
        unescapeBytes(encoded, plusIsSpace: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The `%xx` Go names in its error: the first escape that is not two hex digits.
    private static func badEscape(_ encoded: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(encoded)
        guard
            let index = bytes.indices.first(where: { index in
                bytes[index] == UInt8(ascii: "%")
                    && (index + 2 >= bytes.count || hexValue(bytes[index + 1]) == nil
                        || hexValue(bytes[index + 2]) == nil)
            })
        else { return bytes }
        return Array(bytes[index..<min(bytes.count, index + 3)])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
