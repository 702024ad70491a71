import Foundation
import VigilModel

/// Prometheus's rule template functions (`template/template.go`), with Go's number formatting.
extension TemplateFunctions {
    /// Go's builtins plus Prometheus's functions, with `externalURL`, `pathPrefix` from `externalURL` and
    /// `query` answered by `query` (an error when nil).
    public static func prometheus(
        externalURL: String = "",
        query: (@Sendable (String) throws(TemplateError) -> [TemplateSample])? = nil
    ) -> TemplateFunctions {
        var functions = prometheusBase
        functions.entries["query"] = queryEntry(query)
        let path = URLComponents(string: externalURL)?.path ?? ""
        functions.entries["externalURL"] = Entry(
            arity: .exactly(0), body: { _ in .string(externalURL) })
        functions.entries["pathPrefix"] = Entry(arity: .exactly(0), body: { _ in .string(path) })
        return functions
    }

    static func queryEntry(_ query: (@Sendable (String) throws(TemplateError) -> [TemplateSample])?)
        -> Entry
    {
        Entry(arity: .exactly(1)) { arguments throws(TemplateError) in
            let expression = try string(arguments[0])
            guard let query else {
                throw TemplateError("no query engine to run \(GoFormatter.quote(expression))")
            }
            return .list(try query(expression).map(\.templateValue))
        }
    }

    private static let prometheusBase: TemplateFunctions = {
        var entries = builtins.entries
        func add(_ name: String, _ arity: Int, _ body: @escaping Function) {
            entries[name] = Entry(arity: .exactly(arity), body: body)
        }
        add("first", 1) { arguments throws(TemplateError) in
            guard case .list(let samples) = arguments[0] else {
                throw wrongType(arguments[0], "template.queryResult")
            }
            guard let first = samples.first else {
                throw TemplateError("first() called on vector with no elements")
            }
            return first
        }
        add("label", 2) { arguments throws(TemplateError) in
            let name = try string(arguments[0])
            return .string(try sampleLabels(arguments[1])[name]?.stringValue ?? "")
        }
        add("value", 1) { arguments throws(TemplateError) in
            guard case .map(let sample) = arguments[0], let value = sample["Value"] else {
                throw wrongType(arguments[0], "*template.sample")
            }
            return value
        }
        add("strvalue", 1) { arguments throws(TemplateError) in
            .string(try sampleLabels(arguments[0])["__value__"]?.stringValue ?? "")
        }
        entries["args"] = Entry(arity: nil) { arguments in
            var map: [String: TemplateValue] = [:]
            for (index, argument) in arguments.enumerated() { map["arg\(index)"] = argument }
            return .map(map)
        }
        add("reReplaceAll", 3) { arguments throws(TemplateError) in
            let regex = try GoRegex(try string(arguments[0]))
            return .string(regex.replaceAll(in: try string(arguments[2]), with: try string(arguments[1])))
        }
        add("safeHtml", 1) { arguments throws(TemplateError) in .string(try string(arguments[0])) }
        add("match", 2) { arguments throws(TemplateError) in
            .bool(try GoRegex(try string(arguments[0])).matches(try string(arguments[1])))
        }
        add("title", 1) { arguments throws(TemplateError) in .string(goTitle(try string(arguments[0])))
        }
        add("toUpper", 1) { arguments throws(TemplateError) in
            .string(try string(arguments[0]).uppercased())
        }
        add("toLower", 1) { arguments throws(TemplateError) in
            .string(try string(arguments[0]).lowercased())
        }
        add("graphLink", 1) { arguments throws(TemplateError) in
            .string("/graph?g0.expr=\(queryEscape(try string(arguments[0])))&g0.tab=0")
        }
        add("tableLink", 1) { arguments throws(TemplateError) in
            .string("/graph?g0.expr=\(queryEscape(try string(arguments[0])))&g0.tab=1")
        }
        add("sortByLabel", 2) { arguments throws(TemplateError) in
            let name = try string(arguments[0])
            guard case .list(let samples) = arguments[1] else {
                throw wrongType(arguments[1], "template.queryResult")
            }
            var keyed: [(key: [UInt8], sample: TemplateValue)] = []
            for sample in samples {
                keyed.append((Array((try sampleLabels(sample)[name]?.stringValue ?? "").utf8), sample))
            }
            // Stable: ties keep their order (Swift's sort is stable).
            keyed.sort { $0.key.lexicographicallyPrecedes($1.key) }
            return .list(keyed.map(\.sample))
        }
        add("stripPort", 1) { arguments throws(TemplateError) in
            let address = try string(arguments[0])
            return .string(splitHostPort(address)?.host ?? address)
        }
        add("stripDomain", 1) { arguments throws(TemplateError) in
            .string(stripDomain(try string(arguments[0])))
        }
        add("humanize", 1) { arguments throws(TemplateError) in
            .string(humanize(try float(arguments[0])))
        }
        add("humanize1024", 1) { arguments throws(TemplateError) in
            .string(humanize1024(try float(arguments[0])))
        }
        add("humanizeDuration", 1) { arguments throws(TemplateError) in
            .string(humanizeDuration(try float(arguments[0])))
        }
        add("humanizePercentage", 1) { arguments throws(TemplateError) in
            .string(GoFormatter.formatFloat(try float(arguments[0]) * 100, verb: "g", precision: 4) + "%")
        }
        add("humanizeTimestamp", 1) { arguments throws(TemplateError) in
            let seconds = try float(arguments[0])
            if seconds.isNaN || seconds.isInfinite {
                return .string(GoFormatter.formatFloat(seconds, verb: "g", precision: 4))
            }
            return .string(try goTime(seconds))
        }
        add("toTime", 1) { arguments throws(TemplateError) in
            let seconds = try float(arguments[0])
            if seconds.isNaN || seconds.isInfinite { throw TemplateError("value is NaN or Inf") }
            return .string(try goTime(seconds))
        }
        add("parseDuration", 1) { arguments throws(TemplateError) in
            let text = try string(arguments[0])
            guard let milliseconds = PrometheusDuration.milliseconds(text) else {
                throw TemplateError("not a valid duration string: \(GoFormatter.quote(text))")
            }
            return .float(Double(milliseconds) / 1000)
        }
        return TemplateFunctions(entries: entries)
    }()

    // MARK: Arguments

    static func wrongType(_ value: TemplateValue, _ expected: String) -> TemplateError {
        TemplateError("wrong type for value; expected \(expected); got \(value.goTypeName)")
    }

    private static func sampleLabels(_ value: TemplateValue) throws(TemplateError) -> [String:
        TemplateValue]
    {
        guard case .map(let sample) = value, case .map(let labels)? = sample["Labels"] else {
            throw wrongType(value, "*template.sample")
        }
        return labels
    }

    /// Prometheus's `convertToFloat`: floats, ints and strings (`strconv.ParseFloat`).
    static func float(_ value: TemplateValue) throws(TemplateError) -> Double {
        switch value {
        case .float(let number): return number
        case .int(let number): return Double(number)
        case .string(let text):
            guard let number = parseFloat(text) else {
                throw TemplateError(
                    "strconv.ParseFloat: parsing \(GoFormatter.quote(text)): invalid syntax")
            }
            return number
        default:
            throw TemplateError("can't convert \(value.goTypeName) to float")
        }
    }

    /// Go's `strconv.ParseFloat(text, 64)` for what rule values look like.
    static func parseFloat(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard !body.isEmpty,
            body.allSatisfy({ $0.isASCII && ($0.isHexDigit || ".xXpP+-_".contains($0)) }),
            body.first != "+", body.first != "-"
        else { return nil }
        var digits = String(body)
        if digits.contains("_") {
            guard digits.lowercased().hasPrefix("0x") else { return nil }
            digits = digits.replacingOccurrences(of: "_", with: "")
        }
        if digits.hasPrefix(".") { digits = "0" + digits }
        guard let number = Double(digits) else { return nil }
        return sign * number
    }

    // MARK: Humanizing

    static func humanize(_ input: Double) -> String {
        var value = input
        if value == 0 || value.isNaN || value.isInfinite {
            return GoFormatter.formatFloat(value, verb: "g", precision: 4)
        }
        var prefix = ""
        if abs(value) >= 1 {
            for candidate in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(value) < 1000 { break }
                prefix = candidate
                value /= 1000
            }
        } else {
            for candidate in ["m", "u", "n", "p", "f", "a", "z", "y"] {
                if abs(value) >= 1 { break }
                prefix = candidate
                value *= 1000
            }
        }
        return GoFormatter.formatFloat(value, verb: "g", precision: 4) + prefix
    }

    static func humanize1024(_ input: Double) -> String {
        var value = input
        if abs(value) <= 1 || value.isNaN || value.isInfinite {
            return GoFormatter.formatFloat(value, verb: "g", precision: 4)
        }
        var prefix = ""
        for candidate in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(value) < 1024 { break }
            prefix = candidate
            value /= 1024
        }
        return GoFormatter.formatFloat(value, verb: "g", precision: 4) + prefix
    }

    static func humanizeDuration(_ input: Double) -> String {
        var value = input
        if value.isNaN || value.isInfinite {
            return GoFormatter.formatFloat(value, verb: "g", precision: 4)
        }
        if value == 0 { return GoFormatter.formatFloat(value, verb: "g", precision: 4) + "s" }
        if abs(value) >= 1 {
            var sign = ""
            if value < 0 {
                sign = "-"
                value = -value
            }
            let duration = value >= 9.2e18 ? Int64.max : Int64(value)
            let seconds = duration % 60
            let minutes = (duration / 60) % 60
            let hours = (duration / 60 / 60) % 24
            let days = duration / 60 / 60 / 24
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + GoFormatter.formatFloat(value, verb: "g", precision: 4) + "s"
        }
        var prefix = ""
        for candidate in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(value) >= 1 { break }
            prefix = candidate
            value *= 1000
        }
        return GoFormatter.formatFloat(value, verb: "g", precision: 4) + prefix + "s"
    }

    /// A Unix time in seconds as Go prints a UTC `time.Time` (`2015-06-23 13:19:44.128 +0000 UTC`), at
    /// millisecond precision as Prometheus's `model.Time` keeps it.
    static func goTime(_ seconds: Double) throws(TemplateError) -> String {
        let nanoseconds = seconds * 1e9
        guard nanoseconds < 9.223372036854775807e18, nanoseconds >= -9.223372036854775808e18 else {
            throw TemplateError(
                "\(GoFormatter.format(.float(seconds))) cannot be represented as a nanoseconds timestamp since it overflows int64"
            )
        }
        let milliseconds = Int64(nanoseconds) / 1_000_000
        let time = CivilTime(millisecondsSinceEpoch: milliseconds)
        let text = time.dateAndTime(separator: " ") + time.trimmedFraction
        return text + " +0000 UTC"
    }

    // MARK: Strings

    /// Go's deprecated `strings.Title`: upper-cases the first letter of every word.
    static func goTitle(_ text: String) -> String {
        var out = ""
        var previousIsSeparator = true
        for scalar in text.unicodeScalars {
            if previousIsSeparator,
                scalar.properties.isLowercase || scalar.properties.changesWhenTitlecased
            {
                out += scalar.properties.titlecaseMapping
            } else {
                out.unicodeScalars.append(scalar)
            }
            previousIsSeparator = isTitleSeparator(scalar)
        }
        return out
    }

    private static func isTitleSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            return !TemplateLexer.isAlphaNumeric(byte)
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return false }
        return properties.isWhitespace
    }

    /// Go's `net.SplitHostPort`; nil where Go returns an error.
    static func splitHostPort(_ address: String) -> (host: String, port: String)? {
        let bytes = Array(address.utf8)
        guard let lastColon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        var host: ArraySlice<UInt8>
        var searchFrom = (open: 0, close: 0)
        if bytes.first == UInt8(ascii: "[") {
            guard let end = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            guard end + 1 == lastColon else { return nil }
            host = bytes[1..<end]
            searchFrom = (1, end + 1)
        } else {
            host = bytes[..<lastColon]
            if host.contains(UInt8(ascii: ":")) { return nil }
        }
        if bytes[searchFrom.open...].contains(UInt8(ascii: "[")) { return nil }
        if bytes[searchFrom.close...].contains(UInt8(ascii: "]")) { return nil }
        return (
            String(decoding: host, as: UTF8.self),
            String(decoding: bytes[(lastColon + 1)...], as: UTF8.self)
        )
    }

    /// Prometheus's `stripDomain`: `foo.example.com:9090` → `foo:9090`; IP addresses stay as they are.
    static func stripDomain(_ address: String) -> String {
        let split = splitHostPort(address)
        let host = split?.host ?? address
        if isIPAddress(host) { return address }
        let short =
            host.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? host
        guard let port = split?.port, !port.isEmpty else { return short }
        return short.contains(":") ? "[\(short)]:\(port)" : "\(short):\(port)"
    }

    /// Go's `net.ParseIP` succeeding: dotted IPv4 or IPv6.
    static func isIPAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, !text.contains(":") {
            return parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII)
                    && part.allSatisfy(\.isNumber)
                    && (part.count == 1 || part.first != "0") && Int(part)! <= 255
            }
        }
        guard text.contains(":") else { return false }
        var body = Substring(text)
        var groupsAllowed = 8
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPAddress(String(body[body.index(after: lastColon)...])) else { return false }
            body = body[...lastColon]
            if !body.hasSuffix("::") { body = body.dropLast() }
            groupsAllowed = 6
        }
        let halves = body.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for half in halves where !half.isEmpty {
            for group in half.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, group.allSatisfy(\.isHexDigit) else { return false }
                groups += 1
            }
        }
        return halves.count == 2 ? groups < groupsAllowed : groups == groupsAllowed
    }
}
