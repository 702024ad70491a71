/// Alertmanager's notification template functions (`template/template.go`'s `DefaultFuncs`).
extension TemplateFunctions {
    /// Go's builtins plus `toUpper toLower title trimSpace join match safeHtml reReplaceAll stringSlice`.
    /// `title` is Alertmanager's `cases.Title`: the rest of each word is lower-cased.
    public static var alertmanager: TemplateFunctions { alertmanagerSet }

    private static let alertmanagerSet: TemplateFunctions = {
        var entries = builtins.entries
        func add(_ name: String, _ arity: Arity?, _ body: @escaping Function) {
            entries[name] = Entry(arity: arity, body: body)
        }
        add("toUpper", .exactly(1)) { arguments throws(TemplateError) in
            .string(try string(arguments[0]).uppercased())
        }
        add("toLower", .exactly(1)) { arguments throws(TemplateError) in
            .string(try string(arguments[0]).lowercased())
        }
        add("title", .exactly(1)) { arguments throws(TemplateError) in
            .string(goTitle(try string(arguments[0]).lowercased()))
        }
        add("trimSpace", .exactly(1)) { arguments throws(TemplateError) in
            .string(
                String(
                    try string(arguments[0]).trimmingPrefix(while: \.isWhitespace).reversed().drop(
                        while: \.isWhitespace
                    ).reversed()))
        }
        add("join", .exactly(2)) { arguments throws(TemplateError) in
            let separator = try string(arguments[0])
            guard case .list(let items) = arguments[1] else { throw wrongType(arguments[1], "[]string") }
            var parts: [String] = []
            for item in items { parts.append(try string(item)) }
            return .string(parts.joined(separator: separator))
        }
        add("match", .exactly(2)) { arguments throws(TemplateError) in
            .bool(try GoRegex(try string(arguments[0])).matches(try string(arguments[1])))
        }
        add("safeHtml", .exactly(1)) { arguments throws(TemplateError) in
            .string(try string(arguments[0]))
        }
        add("reReplaceAll", .exactly(3)) { arguments throws(TemplateError) in
            let regex = try GoRegex(try string(arguments[0]))
            return .string(regex.replaceAll(in: try string(arguments[2]), with: try string(arguments[1])))
        }
        add("stringSlice", nil) { arguments throws(TemplateError) in
            for argument in arguments { _ = try string(argument) }
            return .list(arguments)
        }
        var set = TemplateFunctions(entries: entries)
        // Methods of Alertmanager's template data types: `Alerts.Firing()`/`Resolved()`, `KV.SortedPairs()`,
        // `KV.Names()`/`Values()` and `Pairs.Names()`/`Values()`.
        func status(_ wanted: String) -> @Sendable ([TemplateValue]) -> TemplateValue {
            { alerts in
                .list(
                    alerts.filter { if case .map(let alert) = $0 { alert["Status"] == .string(wanted) } else { false } }
                )
            }
        }
        func field(_ name: String) -> @Sendable ([TemplateValue]) -> TemplateValue {
            { pairs in .list(pairs.map { if case .map(let pair) = $0 { pair[name] ?? .null } else { .null } }) }
        }
        set = set.addingListMethod("Firing", status("firing")).addingListMethod("Resolved", status("resolved"))
            .addingListMethod("Names", field("Name")).addingListMethod("Values", field("Value"))
            .addingMapMethod("SortedPairs") { map in
                .list(map.keys.sorted().map { .map(["Name": .string($0), "Value": map[$0] ?? .null]) })
            }
            .addingMapMethod("Names") { map in .list(map.keys.sorted().map { .string($0) }) }
            .addingMapMethod("Values") { map in .list(map.keys.sorted().map { map[$0] ?? .null }) }
            .addingMapMethod("Remove") { map, arguments throws(TemplateError) in
                guard arguments.count == 1, case .list(let names) = arguments[0] else {
                    throw TemplateError("Remove takes one list of label names")
                }
                var kept = map
                for case .string(let name) in names { kept[name] = nil }
                return .map(kept)
            }
        return set
    }()
}
