import VigilModel

/// One relabelling rule (`relabel_configs`, `metric_relabel_configs`, `write_relabel_configs`,
/// `alert_relabel_configs` entries), with Prometheus's defaults. ``Relabeling/process(_:with:)``
/// applies a list of them.
public struct RelabelConfig: Sendable, Hashable {
    /// `source_labels`: whose values, joined with ``separator``, form the input.
    public var sourceLabels: [String]
    /// `separator` (default `;`).
    public var separator: String
    /// `regex`: fully anchored (default `(.*)`).
    public var regex: RelabelRegex
    /// `modulus`: for `hashmod` (required there, non-zero).
    public var modulus: UInt64
    /// `target_label`: may hold `$1`, `${1}`, `$name` for `replace`.
    public var targetLabel: String
    /// `replacement` (default `$1`): `$1`, `${1}`, `$name`, `${name}` expand to regex groups, `$$` to `$`.
    public var replacement: String
    /// `action` (default `replace`).
    public var action: RelabelAction

    public init(
        sourceLabels: [String] = [],
        separator: String = ";",
        regex: RelabelRegex = .default,
        modulus: UInt64 = 0,
        targetLabel: String = "",
        replacement: String = "$1",
        action: RelabelAction = .replace
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regex = regex
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.action = action
    }
}

/// What a relabelling rule does (Prometheus 3.5's actions; the YAML spelling is the raw value,
/// matched case-insensitively as Prometheus does).
public enum RelabelAction: String, Sendable, Hashable, CaseIterable {
    /// Match the joined source values; on a match set `target_label` (expanded) to `replacement`
    /// (expanded), or delete it when the replacement expands to "".
    case replace
    /// Drop the label set unless the joined source values match.
    case keep
    /// Drop the label set when the joined source values match.
    case drop
    /// Drop the label set unless the joined source values equal the value of `target_label`.
    case keepequal
    /// Drop the label set when the joined source values equal the value of `target_label`.
    case dropequal
    /// Set `target_label` to MD5(joined source values) mod `modulus`.
    case hashmod
    /// Copy every label whose name matches to the name `replacement` expands to.
    case labelmap
    /// Remove every label whose name matches.
    case labeldrop
    /// Remove every label whose name does not match.
    case labelkeep
    /// Set `target_label` to the joined source values in lower case.
    case lowercase
    /// Set `target_label` to the joined source values in upper case.
    case uppercase
}

/// A relabelling regular expression: RE2 syntax as Prometheus writes it, matched against the whole
/// input (anchored at both ends) with `.` matching newlines, as in Prometheus 3.
///
/// Equality and hashing use the pattern text. Swift's regex engine runs it; it accepts RE2's
/// syntax, including `(?P<name>…)` groups.
public struct RelabelRegex: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the configuration (without the implicit anchors).
    public let pattern: String
    private let compiled: CompiledPattern

    /// Compiles `pattern`; throws ``ConfigError`` (code `invalidValue`, no key path) when it is not a
    /// valid regular expression.
    public init(_ pattern: String) throws(ConfigError) {
        guard let compiled = CompiledPattern(pattern) else {
            throw ConfigError(.invalidValue, keyPath: "", "invalid regular expression \(quoted(pattern))")
        }
        self.pattern = pattern
        self.compiled = compiled
    }

    /// `(.*)`, the default of every rule.
    public static let `default` = try! RelabelRegex("(.*)")

    public var description: String { pattern }

    public static func == (lhs: RelabelRegex, rhs: RelabelRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    /// Whether the whole of `value` matches.
    public func matches(_ value: String) -> Bool { compiled.matches(value) }

    /// The groups of a whole-string match (index 0 is the whole match; nil for a group that did not
    /// take part), and a lookup of named groups; nil when `value` does not match.
    func match(_ value: String) -> RegexMatch? { compiled.match(value) }
}

/// The captured groups of one match, for `$1`/`$name` expansion.
struct RegexMatch {
    var groups: [Substring?]
    var names: [String: Int]

    /// The text a `$` reference expands to; "" for a group that does not exist or did not match.
    func text(_ reference: RegexTemplate.Reference) -> String {
        let index: Int?
        switch reference {
        case .number(let number): index = number
        case .name(let name): index = names[name]
        }
        guard let index, index >= 0, index < groups.count else { return "" }
        return groups[index].map(String.init) ?? ""
    }
}

/// The compiled form; `Regex<AnyRegexOutput>` is not `Sendable` but is immutable once built.
private struct CompiledPattern: @unchecked Sendable {
    private enum Shape {
        /// `(.*)`: matches anything, group 1 is the whole input.
        case captureAll
        /// `.*`.
        case anything
        /// A literal or an alternation of literals (`a|b|c`): no regex needed.
        case literals(Set<String>)
        case regex(Regex<AnyRegexOutput>, names: [String: Int])
    }
    private let shape: Shape

    init?(_ pattern: String) {
        switch pattern {
        case "(.*)":
            shape = .captureAll
            return
        case ".*":
            shape = .anything
            return
        default:
            break
        }
        let meta: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        if !pattern.contains(where: { meta.contains($0) }) {
            shape = .literals(Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
            return
        }
        // RE2 has no lookaround and no backreferences; Swift's engine has both, so refuse them here
        // as Prometheus would. RE2's \d, \w and \s are ASCII-only.
        guard !Self.usesNonRE2Features(pattern),
            let regex = try? Regex("(?s:" + Self.swiftSyntax(pattern) + ")").matchingSemantics(.unicodeScalar)
                .asciiOnlyCharacterClasses()
        else { return nil }
        // Group names by index: parse the pattern for `(?P<name>` / `(?<name>` in order of their
        // opening parenthesis, which is the order groups are numbered in.
        shape = .regex(regex, names: Self.groupNames(pattern))
    }

    func matches(_ value: String) -> Bool {
        switch shape {
        case .captureAll, .anything: true
        case .literals(let set): set.contains(value)
        case .regex(let regex, _): (try? regex.wholeMatch(in: value)) != nil
        }
    }

    func match(_ value: String) -> RegexMatch? {
        switch shape {
        case .captureAll:
            return RegexMatch(groups: [Substring(value), Substring(value)], names: [:])
        case .anything:
            return RegexMatch(groups: [Substring(value)], names: [:])
        case .literals(let set):
            return set.contains(value) ? RegexMatch(groups: [Substring(value)], names: [:]) : nil
        case .regex(let regex, let names):
            guard let found = try? regex.wholeMatch(in: value) else { return nil }
            // Group 0 of the Swift regex is the whole match; group 1 is our `(?s:…)` wrapper only if
            // it captured, which a non-capturing group does not.
            var groups: [Substring?] = []
            groups.reserveCapacity(found.output.count)
            for index in 0..<found.output.count { groups.append(found.output[index].substring) }
            return RegexMatch(groups: groups, names: names)
        }
    }

    /// RE2's one-letter Unicode classes `\pL`, `\PN` written as Swift wants them: `\p{L}`, `\P{N}`.
    static func swiftSyntax(_ pattern: String) -> String {
        guard pattern.contains("\\p") || pattern.contains("\\P") else { return pattern }
        var out = ""
        var characters = pattern.makeIterator()
        while let character = characters.next() {
            out.append(character)
            guard character == "\\", let next = characters.next() else { continue }
            out.append(next)
            guard next == "p" || next == "P", let name = characters.next() else { continue }
            out += name == "{" ? "{" : "{\(name)}"
        }
        return out
    }

    /// Lookaround (`(?=, `(?!`, `(?<=`, `(?<!`) or a backreference (`\1`): valid for Swift, not RE2.
    static func usesNonRE2Features(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                if index + 1 < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index + 1]) {
                    return true
                }
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "("), index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") {
                let next = bytes[index + 2]
                if next == UInt8(ascii: "=") || next == UInt8(ascii: "!") { return true }
                if next == UInt8(ascii: "<"), index + 3 < bytes.count,
                    bytes[index + 3] == UInt8(ascii: "=") || bytes[index + 3] == UInt8(ascii: "!")
                {
                    return true
                }
            }
            index += 1
        }
        return false
    }

    /// Maps each named group to its number, counting capturing groups as RE2 does.
    static func groupNames(_ pattern: String) -> [String: Int] {
        let bytes = Array(pattern.utf8)
        var names: [String: Int] = [:]
        var number = 0
        var index = 0
        var inClass = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if inClass {
                if byte == UInt8(ascii: "]") { inClass = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "[") {
                inClass = true
                // `[]…]` and `[^]…]`: a leading `]` is literal.
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "^") { index += 1 }
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "]") { index += 1 }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "(") {
                let rest = bytes[(index + 1)...]
                if rest.first != UInt8(ascii: "?") {
                    number += 1
                } else {
                    var nameStart: Int?
                    if rest.starts(with: Array("?P<".utf8)) {
                        nameStart = index + 4
                    } else if rest.starts(with: Array("?<".utf8)) && rest.dropFirst(2).first != UInt8(ascii: "=")
                        && rest.dropFirst(2).first != UInt8(ascii: "!")
                    {
                        nameStart = index + 3
                    }
                    if let nameStart, let end = bytes[nameStart...].firstIndex(of: UInt8(ascii: ">")) {
                        number += 1
                        names[String(decoding: bytes[nameStart..<end], as: UTF8.self)] = number
                    }
                }
            }
            index += 1
        }
        return names
    }
}

/// `"text"` with Go's `%q`-like escaping of quotes and backslashes, for messages.
package func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
