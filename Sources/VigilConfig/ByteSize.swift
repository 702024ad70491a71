/// Byte sizes as Prometheus writes them (`units.Base2Bytes`): `512KiB`, `10MB`, `1GB512MB`, `1.5GiB`,
/// `0`. Every unit is a power of 1024 (`KB` = `KiB` = 1024 bytes); SI `kB` is refused.
public enum ByteSize {
    private static let iecUnits: [String: Int64] = [
        "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60,
    ]
    private static let legacyUnits: [String: Int64] = [
        "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50, "EB": 1 << 60,
    ]

    /// The number of bytes, or nil when `text` is not a size (no unit, unknown unit, negative, overflow).
    /// As in Prometheus, one string uses either the `KiB` family or the `KB` family, not both.
    public static func parse(_ text: String) -> Int64? {
        parse(text, units: iecUnits) ?? parse(text, units: legacyUnits)
    }

    /// Prometheus's rendering: `10MiB`, `1GiB512MiB`, `0B`.
    public static func format(_ bytes: Int64) -> String {
        if bytes == 0 { return "0B" }
        let names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var rest = bytes
        var parts: [String] = []
        for name in names {
            if rest % 1024 != 0 { parts.append("\(rest % 1024)\(name)") }
            rest /= 1024
            if rest == 0 { break }
        }
        return parts.reversed().joined()
    }

    private static func parse(_ text: String, units: [String: Int64]) -> Int64? {
        if text == "0" { return 0 }
        var rest = Substring(text)
        if rest.first == "+" { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty, let number = Double(whole.isEmpty ? "0" : String(whole))
            else { return nil }
            let fractionValue = fraction.isEmpty ? 0 : (Double("0." + fraction) ?? 0)
            let unitName = rest.prefix { !($0 == "." || ($0.isASCII && $0.isNumber)) }
            rest = rest.dropFirst(unitName.count)
            guard let unit = units[String(unitName)] else { return nil }
            total += (number + fractionValue) * Double(unit)
        }
        guard total < 0x1p63 else { return nil }
        return Int64(total)
    }
}
