import VigilModel

/// Applies relabelling rules to a label set with Prometheus 3.5's semantics
/// (`model/relabel/relabel.go`): targets before scraping, series before storing or sending,
/// alerts before notifying.
public enum Relabeling {
    /// The label set after every rule in order, or nil when a rule dropped it (`keep`, `drop`,
    /// `keepequal`, `dropequal`). Setting a label to "" removes it.
    public static func process(_ labels: Labels, with configs: [RelabelConfig]) -> Labels? {
        if configs.isEmpty { return labels }
        var builder = LabelsBuilder(labels)
        for config in configs {
            guard apply(config, to: &builder) else { return nil }
        }
        return builder.labels()
    }

    /// One rule; false when it drops the label set.
    private static func apply(_ config: RelabelConfig, to builder: inout LabelsBuilder) -> Bool {
        let value: String
        switch config.sourceLabels.count {
        case 0: value = ""
        case 1: value = builder[config.sourceLabels[0]]
        default: value = config.sourceLabels.map { builder[$0] }.joined(separator: config.separator)
        }
        switch config.action {
        case .drop:
            if config.regex.matches(value) { return false }
        case .keep:
            if !config.regex.matches(value) { return false }
        case .dropequal:
            if builder[config.targetLabel] == value { return false }
        case .keepequal:
            if builder[config.targetLabel] != value { return false }
        case .replace:
            // Prometheus's fast path: a constant label from no input.
            if value.isEmpty && config.regex == .default && !config.targetLabel.contains("$")
                && !config.replacement.contains("$")
            {
                builder.set(config.targetLabel, config.replacement)
                break
            }
            guard let match = config.regex.match(value) else { break }
            let target = RegexTemplate.expand(config.targetLabel, match.text)
            guard isValidLabelName(target) else { break }
            let result = RegexTemplate.expand(config.replacement, match.text)
            builder.set(target, result)
        case .lowercase:
            builder.set(config.targetLabel, mapCase(value, upper: false))
        case .uppercase:
            builder.set(config.targetLabel, mapCase(value, upper: true))
        case .hashmod:
            let digest = MD5.digest(value.utf8)
            var tail: UInt64 = 0
            for byte in digest[8..<16] { tail = tail << 8 | UInt64(byte) }
            builder.set(config.targetLabel, String(tail % config.modulus))
        case .labelmap:
            for label in builder.snapshot() {
                guard let match = config.regex.match(label.name) else { continue }
                let name = RegexTemplate.expand(config.replacement, match.text)
                if !name.isEmpty { builder.set(name, label.value) }
            }
        case .labeldrop:
            for label in builder.snapshot() where config.regex.matches(label.name) {
                builder.delete(label.name)
            }
        case .labelkeep:
            for label in builder.snapshot() where !config.regex.matches(label.name) {
                builder.delete(label.name)
            }
        }
        return true
    }

    /// Go's `strings.ToLower`/`ToUpper`: each scalar's simple (one-to-one) case mapping.
    private static func mapCase(_ value: String, upper: Bool) -> String {
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return upper ? value.uppercased() : value.lowercased() }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            let mapped = upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
            let scalars = mapped.unicodeScalars
            if scalars.count == 1, let single = scalars.first {
                out.append(single)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// A label name as Prometheus 3 accepts it (UTF-8 names): any non-empty string.
func isValidLabelName(_ name: String) -> Bool { !name.isEmpty }

/// Go's `labels.Builder`: the base set plus additions and deletions, so that rules read the
/// current values and `labelmap`/`labeldrop` iterate the labels as they were when the rule began.
struct LabelsBuilder {
    private var base: Labels
    private var added: [Label] = []
    private var deleted: [String] = []

    init(_ base: Labels) { self.base = base }

    /// The current value of `name`, "" when absent.
    subscript(name: String) -> String {
        if let label = added.first(where: { $0.name == name }) { return label.value }
        if deleted.contains(name) { return "" }
        return base[name] ?? ""
    }

    /// Sets `name` to `value`; an empty value deletes the label.
    mutating func set(_ name: String, _ value: String) {
        if value.isEmpty {
            delete(name)
            return
        }
        deleted.removeAll { $0 == name }
        if let index = added.firstIndex(where: { $0.name == name }) {
            added[index].value = value
        } else {
            added.append(Label(name, value))
        }
    }

    mutating func delete(_ name: String) {
        added.removeAll { $0.name == name }
        if !deleted.contains(name) { deleted.append(name) }
    }

    /// The current labels in Go's order: untouched base labels, then additions in order.
    func snapshot() -> [Label] {
        var out = base.pairs.filter { label in
            !deleted.contains(label.name) && !added.contains { $0.name == label.name }
        }
        out.append(contentsOf: added)
        return out
    }

    func labels() -> Labels {
        if added.isEmpty && deleted.isEmpty { return base }
        return Labels(snapshot())
    }
}
