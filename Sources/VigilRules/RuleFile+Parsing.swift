import Foundation
import VigilConfig
import VigilModel
import VigilPromQL
import VigilTemplate

extension RuleFile {
    /// Reads and validates the rule file at `path`, collecting every error as promtool does.
    public static func load(path: String, ignoreUnknownFields: Bool = false) -> ParseResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ParseResult(
                file: nil, errors: [RulesError(.io, "open \(path): no such file or directory", file: path)])
        }
        return parse(String(decoding: data, as: UTF8.self), path: path, ignoreUnknownFields: ignoreUnknownFields)
    }

    /// Decodes and validates rule-file YAML. Unknown keys are errors unless `ignoreUnknownFields`. When the
    /// YAML does not decode, only the decoding errors are returned; otherwise every validation error of
    /// Prometheus's `rulefmt` (empty or repeated group names, `record`/`alert` exclusivity, invalid names,
    /// expressions that do not parse, templates that do not parse).
    public static func parse(_ text: String, path: String, ignoreUnknownFields: Bool = false) -> ParseResult {
        var decoder = StrictYAMLDecoder(path: path, ignoreUnknownFields: ignoreUnknownFields)
        let root: YAMLCursor?
        do {
            root = try YAMLCursor.document(text, file: path)
        } catch {
            return ParseResult(
                file: nil,
                errors: [
                    RulesError(.syntax, "yaml: " + error.message, file: path, line: error.line, column: error.column)
                ])
        }
        let groups = root.map { decoder.decodeFile($0) } ?? []
        if !decoder.errors.isEmpty { return ParseResult(file: nil, errors: decoder.errors) }
        let file = RuleFile(path: path, groups: groups.map(\.definition))
        return ParseResult(file: file, errors: RuleFileValidator(path: path).validate(groups))
    }
}

/// A group as decoded, with the positions validation messages need.
struct DecodedGroup {
    var definition: RuleGroupDefinition
    var rules: [DecodedRule]
}

/// A rule as decoded: both names as written (validation checks they are exclusive) and their positions.
struct DecodedRule {
    var record = ""
    var alert = ""
    var expr = ""
    var forMilliseconds: Int64 = 0
    var keepFiringForMilliseconds: Int64 = 0
    var labels: [Label] = []
    var annotations: [Label] = []
    var recordPosition: (Int, Int)?
    var alertPosition: (Int, Int)?
    var exprPosition: (Int, Int)?
    var position: (Int, Int)?

    var definition: RuleDefinition {
        RuleDefinition(
            kind: alert.isEmpty ? .recording : .alerting, name: alert.isEmpty ? record : alert, expr: expr,
            forMilliseconds: forMilliseconds, keepFiringForMilliseconds: keepFiringForMilliseconds, labels: labels,
            annotations: annotations, line: position?.0, column: position?.1)
    }
}

extension StrictYAMLDecoder {
    mutating func decodeFile(_ root: YAMLCursor) -> [DecodedGroup] {
        guard let entries = mapping(root, type: "rulefmt.RuleGroups", known: ["groups"]) else { return [] }
        guard let groupsCursor = entries.first(where: { $0.key == "groups" })?.value else { return [] }
        guard let list = sequence(groupsCursor) else { return [] }
        return list.compactMap { decodeGroup($0) }
    }

    mutating func decodeGroup(_ cursor: YAMLCursor) -> DecodedGroup? {
        let known = ["name", "interval", "query_offset", "limit", "rules", "labels"]
        guard let entries = mapping(cursor, type: "rulefmt.RuleGroup", known: known) else { return nil }
        let at = position(cursor)
        var group = RuleGroupDefinition(name: "", rules: [], line: at?.0, column: at?.1)
        var rules: [DecodedRule] = []
        for (key, value) in entries where !value.isNull {
            switch key {
            case "name": group.name = string(value) ?? ""
            case "interval": group.intervalMilliseconds = duration(value)
            case "query_offset": group.queryOffsetMilliseconds = duration(value)
            case "limit":
                guard let limit = try? value.int64(), let small = Int(exactly: limit) else {
                    typeError(value, "int")
                    continue
                }
                group.limit = small
            case "labels": group.labels = labelMap(value)
            case "rules": rules = (sequence(value) ?? []).compactMap { decodeRule($0) }
            default: break
            }
        }
        group.rules = rules.map(\.definition)
        return DecodedGroup(definition: group, rules: rules)
    }

    mutating func decodeRule(_ cursor: YAMLCursor) -> DecodedRule? {
        let known = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]
        guard let entries = mapping(cursor, type: "rulefmt.Rule", known: known) else { return nil }
        var rule = DecodedRule()
        rule.position = position(cursor)
        for (key, value) in entries {
            switch key {
            case "record":
                rule.record = string(value) ?? ""
                rule.recordPosition = position(value)
            case "alert":
                rule.alert = string(value) ?? ""
                rule.alertPosition = position(value)
            case "expr":
                rule.expr = string(value) ?? ""
                rule.exprPosition = position(value)
            case "for": rule.forMilliseconds = value.isNull ? 0 : duration(value) ?? 0
            case "keep_firing_for": rule.keepFiringForMilliseconds = value.isNull ? 0 : duration(value) ?? 0
            case "labels": rule.labels = labelMap(value)
            case "annotations": rule.annotations = labelMap(value)
            default: break
            }
        }
        return rule
    }
}

/// Prometheus's `rulefmt` validation, on decoded groups; every error is collected.
struct RuleFileValidator {
    let path: String

    func validate(_ groups: [DecodedGroup]) -> [RulesError] {
        var errors: [RulesError] = []
        var names = Set<String>()
        for group in groups {
            let g = group.definition
            if g.name.isEmpty {
                errors.append(
                    RulesError(
                        .invalidRule, "Groupname must not be empty", file: path, line: g.line, column: g.column))
            }
            if !names.insert(g.name).inserted {
                errors.append(
                    RulesError(
                        .invalidRule, "groupname: \"\(g.name)\" is repeated in the same file", file: path,
                        line: g.line, column: g.column))
            }
            for label in g.labels {
                if !RuleNames.isValidLabelName(label.name) || label.name == metricNameLabel {
                    errors.append(RulesError(.invalidRule, "invalid label name: \(label.name)", file: path))
                }
            }
            for (index, rule) in group.rules.enumerated() {
                for var error in validate(rule) {
                    error.file = path
                    error.group = g.name
                    error.ruleIndex = index + 1
                    error.ruleName = rule.alert.isEmpty ? rule.record : rule.alert
                    errors.append(error)
                }
            }
        }
        return errors
    }

    func validate(_ rule: DecodedRule) -> [RulesError] {
        var errors: [RulesError] = []
        func add(_ message: String, _ at: (Int, Int)?, alt: (Int, Int)? = nil) {
            var error = RulesError(.invalidRule, message, line: at?.0, column: at?.1)
            error.alternateLine = alt?.0
            error.alternateColumn = alt?.1
            errors.append(error)
        }
        if !rule.record.isEmpty && !rule.alert.isEmpty {
            add("only one of 'record' and 'alert' must be set", rule.recordPosition, alt: rule.alertPosition)
        }
        if rule.record.isEmpty && rule.alert.isEmpty {
            add("one of 'record' or 'alert' must be set", rule.recordPosition ?? rule.position)
        }
        if rule.expr.isEmpty {
            add("field 'expr' must be set in rule", rule.exprPosition ?? rule.position)
        } else {
            do {
                _ = try PromQLParser().parse(rule.expr)
            } catch {
                add("could not parse expression: \(error)", rule.exprPosition)
            }
        }
        if !rule.record.isEmpty {
            if !rule.annotations.isEmpty {
                add("invalid field 'annotations' in recording rule", rule.recordPosition)
            }
            if rule.forMilliseconds != 0 { add("invalid field 'for' in recording rule", rule.recordPosition) }
            if rule.keepFiringForMilliseconds != 0 {
                add("invalid field 'keep_firing_for' in recording rule", rule.recordPosition)
            }
            if !RuleNames.isValidMetricName(rule.record) {
                add("invalid recording rule name: \(rule.record)", rule.recordPosition)
            }
            if rule.record.contains("{") || rule.record.contains("}") {
                add(
                    "braces present in the recording rule name; should it be in expr?: \(rule.record)",
                    rule.recordPosition)
            }
        }
        for label in rule.labels where !RuleNames.isValidLabelName(label.name) || label.name == metricNameLabel {
            add("invalid label name: \(label.name)", nil)
        }
        for annotation in rule.annotations where !RuleNames.isValidLabelName(annotation.name) {
            add("invalid annotation name: \(annotation.name)", nil)
        }
        if !rule.alert.isEmpty {
            let name = "__alert_" + rule.alert
            for label in rule.labels {
                do throws(TemplateError) {
                    try RuleTemplateExpander.validate(name: name, text: label.value)
                } catch {
                    add("label \(GoQuote.quote(label.name)): \(error)", nil)
                }
            }
            for annotation in rule.annotations {
                do throws(TemplateError) {
                    try RuleTemplateExpander.validate(name: name, text: annotation.value)
                } catch {
                    add("annotation \(GoQuote.quote(annotation.name)): \(error)", nil)
                }
            }
        }
        return errors
    }
}

/// Prometheus's legacy name rules (`model.IsValidMetricName`, `LabelName.IsValid`).
enum RuleNames {
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func head(_ c: UInt8) -> Bool {
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c == 58
        }
        return head(first) && name.utf8.dropFirst().allSatisfy { head($0) || ($0 >= 48 && $0 <= 57) }
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func head(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 }
        return head(first) && name.utf8.dropFirst().allSatisfy { head($0) || ($0 >= 48 && $0 <= 57) }
    }
}
