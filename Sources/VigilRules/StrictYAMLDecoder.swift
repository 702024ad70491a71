import VigilConfig
import VigilModel

/// Reads a YAML tree strictly, as Go's YAML decoder with known fields does, collecting every decoding
/// error (unknown keys, wrong types) with its position rather than stopping at the first.
struct StrictYAMLDecoder {
    let path: String
    let ignoreUnknownFields: Bool
    var errors: [RulesError] = []

    init(path: String, ignoreUnknownFields: Bool) {
        self.path = path
        self.ignoreUnknownFields = ignoreUnknownFields
    }

    func position(_ cursor: YAMLCursor) -> (Int, Int)? {
        let located = cursor.error(.invalidValue, "")
        guard let line = located.line, let column = located.column else { return nil }
        return (line, column)
    }

    mutating func fail(_ cursor: YAMLCursor, _ message: String) {
        let at = position(cursor)
        errors.append(RulesError(.syntax, message, file: path, line: at?.0, column: at?.1))
    }

    mutating func typeError(_ cursor: YAMLCursor, _ type: String) {
        fail(cursor, "cannot unmarshal \(describeKind(cursor)) into \(type)")
    }

    func describeKind(_ cursor: YAMLCursor) -> String {
        if (try? cursor.freeMapping()) != nil { return "!!map" }
        if (try? cursor.sequence()) != nil { return "!!seq" }
        if let text = try? cursor.string() { return "!!str `\(text.prefix(20))`" }
        return "value"
    }

    /// The entries of a mapping, reporting keys outside `known` (unless unknown keys are ignored).
    mutating func mapping(_ cursor: YAMLCursor, type: String, known: [String]) -> [(key: String, value: YAMLCursor)]? {
        if cursor.isNull { return [] }
        guard let entries = try? cursor.freeMapping() else {
            typeError(cursor, type)
            return nil
        }
        var seen = Set<String>()
        var out: [(key: String, value: YAMLCursor)] = []
        var keyLines: [String: Int] = [:]
        if !ignoreUnknownFields && entries.contains(where: { !known.contains($0.key) }) {
            // The cursor reports the first unknown key at the key itself (Go reports the key's line).
            var allowed = known
            while true {
                do {
                    _ = try cursor.mapping(known: allowed)
                    break
                } catch {
                    let prefix = cursor.path.isEmpty ? 0 : cursor.path.count + 1
                    let key = String(error.keyPath.dropFirst(prefix))
                    guard error.code == .unknownKey, !allowed.contains(key) else { break }
                    allowed.append(key)
                    keyLines[key] = error.line
                }
            }
        }
        for (key, value) in entries {
            guard known.contains(key) else {
                if !ignoreUnknownFields {
                    var error = RulesError(.syntax, "field \(key) not found in type \(type)", file: path)
                    error.line = keyLines[key] ?? position(value)?.0
                    error.column = keyLines[key] == nil ? position(value)?.1 : nil
                    errors.append(error)
                }
                continue
            }
            if !seen.insert(key).inserted {
                fail(value, "mapping key \(GoQuote.quote(key)) already defined")
                continue
            }
            out.append((key, value))
        }
        return out
    }

    mutating func sequence(_ cursor: YAMLCursor) -> [YAMLCursor]? {
        guard let list = try? cursor.sequence() else {
            typeError(cursor, "[]")
            return nil
        }
        return list
    }

    mutating func string(_ cursor: YAMLCursor) -> String? {
        guard let text = try? cursor.string() else {
            typeError(cursor, "string")
            return nil
        }
        return text
    }

    mutating func duration(_ cursor: YAMLCursor) -> Int64? {
        guard let text = string(cursor) else { return nil }
        guard let milliseconds = PrometheusDuration.milliseconds(text) else {
            fail(cursor, "not a valid duration string: \(GoQuote.quote(text))")
            return nil
        }
        return milliseconds
    }

    mutating func labelMap(_ cursor: YAMLCursor) -> [Label] {
        guard let entries = try? cursor.freeMapping() else {
            typeError(cursor, "map[string]string")
            return []
        }
        var out: [Label] = []
        for (key, value) in entries {
            guard let text = string(value) else { continue }
            out.append(Label(key, text))
        }
        return out
    }
}
