import VigilModel
import Yams

/// A node of the YAML tree with its key path, so that every value read and every error raised
/// knows where it is (`scrape_configs[0].relabel_configs[2].action`, line and column).
package struct YAMLCursor {
    package let node: Node
    package let path: String
    package let file: String?

    package init(node: Node, path: String, file: String?) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// An error located at this node.
    package func error(_ code: ConfigError.Code, _ message: String, at key: String? = nil) -> ConfigError {
        ConfigError(
            code, keyPath: key.map { join(path, $0) } ?? path, message, line: node.mark?.line,
            column: node.mark?.column, file: file)
    }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing: the key is treated as absent, as Prometheus does.
    package var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    package func child(_ node: Node, _ key: String) -> YAMLCursor {
        YAMLCursor(node: node, path: join(path, key), file: file)
    }

    /// Reads a mapping whose keys must be among `known`; a key in `unsupported` is a Prometheus
    /// setting Vigil does not implement yet. Other keys are typos, reported with a suggestion.
    package func mapping(known: [String], unsupported: [String] = []) throws(ConfigError) -> YAMLMapping {
        if isNull { return YAMLMapping(cursor: self, values: [:]) }
        guard case .mapping(let mapping) = node else { throw mismatch("a mapping") }
        var values: [String: YAMLCursor] = [:]
        for (keyNode, valueNode) in mapping {
            let keyCursor = YAMLCursor(node: keyNode, path: path, file: file)
            guard case .scalar(let keyScalar) = keyNode else {
                throw keyCursor.error(.invalidValue, "expected a key name, got \(describe(keyNode))")
            }
            let key = keyScalar.string
            if unsupported.contains(key) {
                throw keyCursor.error(
                    .unknownKey, "\(quoted(key)) is a Prometheus setting Vigil does not support yet", at: key)
            }
            guard known.contains(key) else {
                var message = "unknown key \(quoted(key))"
                if let near = closest(to: key, in: known) { message += "; did you mean \(quoted(near))?" }
                throw keyCursor.error(.unknownKey, message, at: key)
            }
            values[key] = child(valueNode, key)
        }
        return YAMLMapping(cursor: self, values: values)
    }

    /// A mapping whose keys are data (label names, header names, URL parameters), not schema.
    package func freeMapping() throws(ConfigError) -> [(key: String, value: YAMLCursor)] {
        if isNull { return [] }
        guard case .mapping(let mapping) = node else { throw mismatch("a mapping") }
        var out: [(String, YAMLCursor)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw YAMLCursor(node: keyNode, path: path, file: file).error(
                    .invalidValue, "expected a name, got \(describe(keyNode))")
            }
            out.append((keyScalar.string, child(valueNode, keyScalar.string)))
        }
        return out
    }

    package func sequence() throws(ConfigError) -> [YAMLCursor] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw mismatch("a list") }
        return sequence.enumerated().map { index, element in
            YAMLCursor(node: element, path: path + "[\(index)]", file: file)
        }
    }

    /// Any scalar, as its text (`1234` is the string "1234", as Go's YAML decoder gives it).
    package func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw mismatch("a string") }
        return isNull ? "" : scalar.string
    }

    package func stringList() throws(ConfigError) -> [String] {
        var out: [String] = []
        for element in try sequence() { out.append(try element.string()) }
        return out
    }

    /// YAML 1.1 booleans, as Go's YAML decoder reads them.
    package func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let scalar) = node else { throw mismatch("true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default: throw mismatch("true or false")
        }
    }

    /// A non-negative integer.
    package func count() throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingUnderscores), value >= 0 else {
            throw mismatch("a non-negative integer")
        }
        return value
    }

    package func int64() throws(ConfigError) -> Int64 {
        guard case .scalar(let scalar) = node, let value = Int64(scalar.string.replacingUnderscores) else {
            throw mismatch("an integer")
        }
        return value
    }

    package func uint64() throws(ConfigError) -> UInt64 {
        guard case .scalar(let scalar) = node, let value = UInt64(scalar.string.replacingUnderscores) else {
            throw mismatch("a non-negative integer")
        }
        return value
    }

    /// A Prometheus duration: `15s`, `1m30s`, `500ms`, `1d`, `0`.
    package func duration() throws(ConfigError) -> Duration {
        guard case .scalar(let scalar) = node else { throw mismatch("a duration") }
        guard let milliseconds = PrometheusDuration.milliseconds(scalar.string) else {
            throw error(
                .invalidValue,
                "not a valid duration \(quoted(scalar.string)) (use a number and a unit: ms, s, m, h, d, w, y; e.g. 1m30s)"
            )
        }
        return .milliseconds(milliseconds)
    }

    /// A byte size in Prometheus's units (`512KiB`, `10MB` = 10 MiB, `1.5GB`, `0`).
    package func byteSize() throws(ConfigError) -> Int64 {
        guard case .scalar(let scalar) = node else { throw mismatch("a size") }
        guard let bytes = ByteSize.parse(scalar.string) else {
            throw error(
                .invalidValue,
                "not a valid size \(quoted(scalar.string)) (use a number and a unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB, PB, PiB, EB, EiB)"
            )
        }
        return bytes
    }

    /// A value from a fixed set, matched exactly.
    package func oneOf<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, lowercased: Bool = false)
        throws(ConfigError)
        -> Value
    where Value.RawValue == String {
        let text = try string()
        if let value = Value(rawValue: lowercased ? text.lowercased() : text) { return value }
        let choices = Value.allCases.map { quoted($0.rawValue) }.joined(separator: ", ")
        throw error(.invalidValue, "\(quoted(text)) is not one of \(choices)")
    }

    package func mismatch(_ expected: String) -> ConfigError {
        error(.invalidValue, "expected \(expected), got \(describe(node))")
    }
}

/// The keys of one mapping, read by name; absent and null keys read as nil.
package struct YAMLMapping {
    package let cursor: YAMLCursor
    package let values: [String: YAMLCursor]

    package subscript(key: String) -> YAMLCursor? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    /// Whether the key is written at all (even as null).
    package func contains(_ key: String) -> Bool { values[key] != nil }

    /// An error about `key` of this mapping, located at the key's value when present, else at the mapping.
    package func error(_ code: ConfigError.Code, _ key: String, _ message: String) -> ConfigError {
        if let value = values[key] { return value.error(code, message) }
        return cursor.error(code, message, at: key)
    }
}

/// `a.b`, `a[0].b`; the root has an empty path.
package func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

/// A short rendering of a node for "expected X, got Y" messages.
package func describe(_ node: Node) -> String {
    let text: String
    switch node {
    case .scalar(let scalar):
        text = scalar.string.isEmpty ? "an empty value" : quoted(scalar.string)
    case .sequence(let sequence):
        text = "[" + sequence.map(flow).joined(separator: ", ") + "]"
    case .mapping(let mapping):
        text = "{" + mapping.map { flow($0.key) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
    case .alias:
        text = "an alias"
    }
    return text.count > 60 ? String(text.prefix(57)) + "..." : text
}

private func flow(_ node: Node) -> String {
    if case .scalar(let scalar) = node { return scalar.string }
    return describe(node)
}

/// The known key nearest to a misspelt one (at most two edits away), for "did you mean".
private func closest(to key: String, in known: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let keyCharacters = Array(key)
    let best = known.map { ($0, distance(keyCharacters, Array($0))) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= 2, best.1 < key.count else { return nil }
    return best.0
}

extension String {
    /// YAML 1.1 allows `1_000`.
    fileprivate var replacingUnderscores: String { contains("_") ? filter { $0 != "_" } : self }
}

extension YAMLCursor {
    /// The root of a YAML document, or nil for an empty one; syntax errors carry libyaml's position.
    /// Rule files and Alertmanager configurations are read with the same located cursor as `vigil.yml`.
    package static func document(_ text: String, file: String?) throws(ConfigError) -> YAMLCursor? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(yamlError: error, file: file)
        } catch {
            throw ConfigError(.syntax, keyPath: "", "\(error)", file: file)
        }
        return root.map { YAMLCursor(node: $0, path: "", file: file) }
    }
}
