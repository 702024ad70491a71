/// A JSON value with the key path that led to it, so that every type error names where it is.
///
/// The accessors read both dialects: a number may be a plain JSON number (data_parser v0.0.38) or a
/// `{set, infinite, number}` object (v0.0.40 and later); a state may be a string or an array of strings.
struct SlurmJSONCursor {
    let value: SlurmJSON
    let path: String

    init(_ value: SlurmJSON, path: String = "") {
        self.value = value
        self.path = path
    }

    func wrongType(_ expected: String) -> SchedulerError {
        SchedulerError(.wrongType, "expected \(expected), found \(value.typeName)", keyPath: path)
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`, or nil when it is absent; throws when this value is not an object.
    subscript(key: String) -> SlurmJSONCursor? {
        get throws(SchedulerError) {
            guard case .object(let members) = value else { throw wrongType("an object") }
            guard let member = members.last(where: { $0.0 == key }) else { return nil }
            return SlurmJSONCursor(member.1, path: childPath(key))
        }
    }

    /// The member `key`; throws when it is absent.
    func required(_ key: String) throws(SchedulerError) -> SlurmJSONCursor {
        guard let child = try self[key] else {
            throw SchedulerError(.missingKey, "required key \"\(key)\" is missing", keyPath: childPath(key))
        }
        return child
    }

    /// Whether this is an object holding `key`.
    func has(_ key: String) -> Bool {
        guard case .object(let members) = value else { return false }
        return members.contains { $0.0 == key }
    }

    var isNull: Bool { value == .null }

    func elements() throws(SchedulerError) -> [SlurmJSONCursor] {
        guard case .array(let items) = value else { throw wrongType("an array") }
        return items.enumerated().map { SlurmJSONCursor($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A string; null reads as the empty string (22.05 writes null for unset strings).
    func string() throws(SchedulerError) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        default: throw wrongType("a string")
        }
    }

    func bool() throws(SchedulerError) -> Bool {
        guard case .bool(let flag) = value else { throw wrongType("a boolean") }
        return flag
    }

    /// A number in either dialect: nil when null or `set: false`, `.infinity` when `infinite: true`.
    func number() throws(SchedulerError) -> Double? {
        switch value {
        case .number(let number): return number
        case .null: return nil
        case .object:
            guard has("number") || has("set") else { throw wrongType("a number or a {set, infinite, number} object") }
            if let infinite = try self["infinite"], try infinite.bool() { return .infinity }
            if let set = try self["set"], try !set.bool() { return nil }
            return try required("number").number()
        default: throw wrongType("a number")
        }
    }

    /// A finite integer in either dialect (nil when unset or infinite).
    func int() throws(SchedulerError) -> Int64? {
        guard let number = try number(), number.isFinite else { return nil }
        guard number == number.rounded(), abs(number) < 9.2e18 else { throw wrongType("an integer") }
        return Int64(number)
    }

    /// A list of strings: an array (v0.0.40+) or a single string (v0.0.38), empty for null.
    func strings() throws(SchedulerError) -> [String] {
        switch value {
        case .string(let text): return text.isEmpty ? [] : [text]
        case .null: return []
        case .array:
            var result: [String] = []
            for element in try elements() { result.append(try element.string()) }
            return result
        default: throw wrongType("a string or an array of strings")
        }
    }

    // Optional-member shorthands: absent keys read as nil / empty.
    func int(_ key: String) throws(SchedulerError) -> Int64? { try self[key]?.int() }
    func number(_ key: String) throws(SchedulerError) -> Double? { try self[key]?.number() }
    func string(_ key: String) throws(SchedulerError) -> String { try self[key]?.string() ?? "" }
    func strings(_ key: String) throws(SchedulerError) -> [String] { try self[key]?.strings() ?? [] }
}
