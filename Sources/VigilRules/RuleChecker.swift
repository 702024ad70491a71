import VigilModel
import VigilStorage

/// `promtool check rules`: validates rule files and reports as promtool does.
public enum RuleChecker {
    public struct Options: Sendable, Hashable {
        /// The `duplicate-rules` lint (promtool's default `--lint=duplicate-rules`).
        public var lintDuplicateRules: Bool
        /// `--lint-fatal`: lint findings fail the check (exit code 3).
        public var lintFatal: Bool
        /// `--ignore-unknown-fields`.
        public var ignoreUnknownFields: Bool

        public init(lintDuplicateRules: Bool = true, lintFatal: Bool = false, ignoreUnknownFields: Bool = false) {
            self.lintDuplicateRules = lintDuplicateRules
            self.lintFatal = lintFatal
            self.ignoreUnknownFields = ignoreUnknownFields
        }
    }

    /// The outcome for one file.
    public struct FileResult: Sendable {
        public var path: String
        /// Rules found, when the file is valid.
        public var ruleCount: Int?
        public var errors: [RulesError]
        public var lints: [RulesError]
    }

    /// What the check found, and the text promtool would print (standard output and error, in order).
    public struct Report: Sendable {
        public var files: [FileResult]
        public var text: String
        /// promtool's exit code: 0, 1 for errors, 3 for lint findings with `lintFatal`.
        public var exitCode: Int32
        public var passed: Bool { exitCode == 0 }
    }

    /// Checks the files at `paths`.
    public static func check(files paths: [String], options: Options = Options()) -> Report {
        check(paths.map { ($0, RuleFile.load(path: $0, ignoreUnknownFields: options.ignoreUnknownFields)) }, options)
    }

    /// Checks rule-file texts (`name` is what messages call them).
    public static func check(texts: [(name: String, text: String)], options: Options = Options()) -> Report {
        check(
            texts.map {
                ($0.name, RuleFile.parse($0.text, path: $0.name, ignoreUnknownFields: options.ignoreUnknownFields))
            },
            options)
    }

    private static func check(_ parsed: [(String, RuleFile.ParseResult)], _ options: Options) -> Report {
        var text = ""
        var failed = false
        var hasErrors = false
        var results: [FileResult] = []
        for (path, result) in parsed {
            text += "Checking \(path)\n"
            var fileResult = FileResult(path: path, ruleCount: nil, errors: result.errors, lints: [])
            defer { results.append(fileResult) }
            if !result.errors.isEmpty || result.file == nil {
                failed = true
                hasErrors = true
                text += "  FAILED:\n"
                for line in RuleFile.describe(result.errors) { text += line + "\n" }
                // promtool 2.42 ends the file's part with a blank line after errors too.
                text += "\n"
                continue
            }
            guard let file = result.file else { continue }
            let count = file.groups.reduce(0) { $0 + $1.rules.count }
            if options.lintDuplicateRules, let lint = duplicateRulesLint(file) {
                fileResult.lints = [lint]
                failed = true
                text += "  FAILED:\n" + lint.message + "\n"
            } else {
                fileResult.ruleCount = count
                text += "  SUCCESS: \(count) rules found\n"
            }
            text += "\n"
        }
        let exitCode: Int32 = failed && hasErrors ? 1 : (failed && options.lintFatal ? 3 : 0)
        return Report(files: results, text: text, exitCode: exitCode)
    }

    /// promtool's duplicate-rules lint: rules with the same name and labels (group labels merged) in one file.
    static func duplicateRulesLint(_ file: RuleFile) -> RulesError? {
        var rules: [(metric: String, labels: Labels)] = []
        for group in file.groups {
            for rule in group.rules {
                rules.append((rule.name, Labels(group.labels + rule.labels)))
            }
        }
        guard rules.count >= 2 else { return nil }
        func compare(_ a: (metric: String, labels: Labels), _ b: (metric: String, labels: Labels)) -> Int {
            if a.metric != b.metric { return a.metric < b.metric ? -1 : 1 }
            return Labels.compare(a.labels, b.labels)
        }
        rules.sort { compare($0, $1) < 0 }
        var duplicates: [(metric: String, labels: Labels)] = []
        for index in 1..<rules.count where compare(rules[index - 1], rules[index]) == 0 {
            if let last = duplicates.last, compare(last, rules[index]) == 0 { continue }
            duplicates.append(rules[index])
        }
        guard !duplicates.isEmpty else { return nil }
        var message = "lint error \(duplicates.count) duplicate rule(s) found.\n"
        for duplicate in duplicates {
            message += "Metric: \(duplicate.metric)\nLabel(s):\n"
            for label in duplicate.labels { message += "\t\(label.name): \(label.value)\n" }
        }
        message += "Might cause inconsistency while recording expressions"
        return RulesError(.lint, message, file: file.path)
    }
}

extension RuleFile {
    /// Errors as promtool prints them: one line per validation error; decoding errors of a file gathered
    /// under `FILE: yaml: unmarshal errors:` with their lines, as Go's YAML decoder reports them.
    public static func describe(_ errors: [RulesError]) -> [String] {
        var lines: [String] = []
        var decoding: [String: [RulesError]] = [:]
        var order: [String] = []
        for error in errors {
            if error.code == .syntax && !error.message.hasPrefix("yaml: ") {
                let file = error.file ?? ""
                if decoding[file] == nil { order.append(file) }
                decoding[file, default: []].append(error)
            } else {
                lines.append(error.description)
            }
        }
        for file in order {
            var text = (file.isEmpty ? "" : file + ": ") + "yaml: unmarshal errors:"
            for error in decoding[file] ?? [] {
                text += "\n  " + (error.line.map { "line \($0): " } ?? "") + error.message
            }
            lines.append(text)
        }
        return lines
    }
}
