import VigilConfig
import VigilModel

/// A promtool rule unit-test file (`promtool test rules`), as written.
public struct RuleUnitTestFile: Sendable {
    public var ruleFiles: [String] = []
    /// `evaluation_interval` (default 1m): how often groups are evaluated.
    public var evaluationIntervalMilliseconds: Int64 = 60_000
    public var groupEvalOrder: [String] = []
    /// `fuzzy_compare`: sample values equal within floating-point rounding.
    public var fuzzyCompare = false
    public var tests: [TestGroup] = []

    /// One entry of `tests`: input series and what to expect from them.
    public struct TestGroup: Sendable {
        public var name = ""
        /// `interval` of the input series; nil means `evaluation_interval`.
        public var intervalMilliseconds: Int64?
        public var inputSeries: [InputSeries] = []
        public var alertRuleTests: [AlertRuleTest] = []
        public var promqlExprTests: [PromQLExprTest] = []
        public var externalLabels: Labels = Labels()
        public var externalURL = ""
        /// `start_timestamp`: the time (ms since the epoch) `eval_time` 0 stands for.
        public var startTimestampMilliseconds: Int64 = 0
    }

    public struct InputSeries: Sendable {
        public var series: String
        public var values: String
    }

    public struct AlertRuleTest: Sendable {
        public var evalTimeMilliseconds: Int64
        public var alertname: String
        public var expectedAlerts: [(labels: [Label], annotations: [Label])]
    }

    public struct PromQLExprTest: Sendable {
        public var expr: String
        public var evalTimeMilliseconds: Int64
        public var expectedSamples: [ExpectedSample]
    }

    public struct ExpectedSample: Sendable {
        public var labels: String
        public var value: Double
        /// A native-histogram expectation (`histogram:`), which Vigil does not evaluate.
        public var histogram: String?
    }

    /// Decodes a unit-test file strictly (unknown keys are errors, as promtool's `UnmarshalStrict`).
    public static func parse(_ text: String, path: String) -> (file: RuleUnitTestFile?, errors: [RulesError]) {
        let root: YAMLCursor?
        do {
            root = try YAMLCursor.document(text, file: path)
        } catch {
            return (nil, [RulesError(.syntax, "yaml: " + error.message, line: error.line, column: error.column)])
        }
        var decoder = StrictYAMLDecoder(path: "", ignoreUnknownFields: false)
        var file = RuleUnitTestFile()
        if let root { decoder.decodeUnitTestFile(root, into: &file) }
        if !decoder.errors.isEmpty {
            return (
                nil,
                decoder.errors.map {
                    var e = $0; e.file = nil; return e
                }
            )
        }
        return (file, [])
    }
}

extension StrictYAMLDecoder {
    mutating func decodeUnitTestFile(_ root: YAMLCursor, into file: inout RuleUnitTestFile) {
        let known = ["rule_files", "evaluation_interval", "group_eval_order", "fuzzy_compare", "tests"]
        guard let entries = mapping(root, type: "main.unitTestFile", known: known) else { return }
        for (key, value) in entries where !value.isNull {
            switch key {
            case "rule_files": file.ruleFiles = strings(value)
            case "evaluation_interval": file.evaluationIntervalMilliseconds = duration(value) ?? 60_000
            case "group_eval_order": file.groupEvalOrder = strings(value)
            case "fuzzy_compare":
                guard let flag = try? value.bool() else {
                    typeError(value, "bool")
                    continue
                }
                file.fuzzyCompare = flag
            case "tests": file.tests = (sequence(value) ?? []).compactMap { decodeTestGroup($0) }
            default: break
            }
        }
        if file.evaluationIntervalMilliseconds == 0 { file.evaluationIntervalMilliseconds = 60_000 }
    }

    mutating func strings(_ cursor: YAMLCursor) -> [String] {
        (sequence(cursor) ?? []).compactMap { string($0) }
    }

    mutating func decodeTestGroup(_ cursor: YAMLCursor) -> RuleUnitTestFile.TestGroup? {
        let known = [
            "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url",
            "name", "start_timestamp",
        ]
        guard let entries = mapping(cursor, type: "main.testGroup", known: known) else { return nil }
        var group = RuleUnitTestFile.TestGroup()
        for (key, value) in entries where !value.isNull {
            switch key {
            case "name": group.name = string(value) ?? ""
            case "interval": group.intervalMilliseconds = duration(value).flatMap { $0 == 0 ? nil : $0 }
            case "external_labels": group.externalLabels = Labels(labelMap(value))
            case "external_url": group.externalURL = string(value) ?? ""
            case "start_timestamp":
                guard let text = string(value) else { continue }
                guard let ms = StartTimestamp.milliseconds(text) else {
                    fail(value, "cannot parse start_timestamp \(GoQuote.quote(text)): use RFC3339 or Unix seconds")
                    continue
                }
                group.startTimestampMilliseconds = ms
            case "input_series":
                for item in sequence(value) ?? [] {
                    guard let fields = mapping(item, type: "main.series", known: ["series", "values"]) else { continue }
                    var series = RuleUnitTestFile.InputSeries(series: "", values: "")
                    for (field, v) in fields where !v.isNull {
                        if field == "series" {
                            series.series = string(v) ?? ""
                        } else {
                            series.values = string(v) ?? ""
                        }
                    }
                    group.inputSeries.append(series)
                }
            case "alert_rule_test":
                for item in sequence(value) ?? [] {
                    if let test = decodeAlertTest(item) { group.alertRuleTests.append(test) }
                }
            case "promql_expr_test":
                for item in sequence(value) ?? [] {
                    if let test = decodeExprTest(item) { group.promqlExprTests.append(test) }
                }
            default: break
            }
        }
        return group
    }

    mutating func decodeAlertTest(_ cursor: YAMLCursor) -> RuleUnitTestFile.AlertRuleTest? {
        let known = ["eval_time", "alertname", "exp_alerts"]
        guard let entries = mapping(cursor, type: "main.alertTestCase", known: known) else { return nil }
        var test = RuleUnitTestFile.AlertRuleTest(evalTimeMilliseconds: 0, alertname: "", expectedAlerts: [])
        for (key, value) in entries where !value.isNull {
            switch key {
            case "eval_time": test.evalTimeMilliseconds = duration(value) ?? 0
            case "alertname": test.alertname = string(value) ?? ""
            case "exp_alerts":
                for item in sequence(value) ?? [] {
                    guard let fields = mapping(item, type: "main.alert", known: ["exp_labels", "exp_annotations"])
                    else { continue }
                    var labels: [Label] = []
                    var annotations: [Label] = []
                    for (field, v) in fields where !v.isNull {
                        if field == "exp_labels" { labels = labelMap(v) } else { annotations = labelMap(v) }
                    }
                    test.expectedAlerts.append((labels, annotations))
                }
            default: break
            }
        }
        return test
    }

    mutating func decodeExprTest(_ cursor: YAMLCursor) -> RuleUnitTestFile.PromQLExprTest? {
        let known = ["expr", "eval_time", "exp_samples"]
        guard let entries = mapping(cursor, type: "main.promqlTestCase", known: known) else { return nil }
        var test = RuleUnitTestFile.PromQLExprTest(expr: "", evalTimeMilliseconds: 0, expectedSamples: [])
        for (key, value) in entries where !value.isNull {
            switch key {
            case "expr": test.expr = string(value) ?? ""
            case "eval_time": test.evalTimeMilliseconds = duration(value) ?? 0
            case "exp_samples":
                for item in sequence(value) ?? [] {
                    guard
                        let fields = mapping(item, type: "main.sample", known: ["labels", "value", "histogram"])
                    else { continue }
                    var sample = RuleUnitTestFile.ExpectedSample(labels: "", value: 0)
                    for (field, v) in fields where !v.isNull {
                        switch field {
                        case "labels": sample.labels = string(v) ?? ""
                        case "histogram": sample.histogram = string(v) ?? ""
                        default:
                            guard let text = string(v) else { continue }
                            guard let number = yamlFloat(text) else {
                                typeError(v, "float64")
                                continue
                            }
                            sample.value = number
                        }
                    }
                    test.expectedSamples.append(sample)
                }
            default: break
            }
        }
        return test
    }

    /// A YAML float as Go's decoder reads one (`.inf`, `-.Inf`, `.nan`, Go number syntax).
    func yamlFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: return Double(text.filter { $0 != "_" })
        }
    }
}

/// `start_timestamp`: RFC 3339 (`2024-01-01T00:00:00Z`, offsets and fractions allowed) or Unix seconds.
enum StartTimestamp {
    static func milliseconds(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite { return Int64((seconds * 1000).rounded()) }
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= chars.count else { return nil }
            var value: Int64 = 0
            for c in chars[from..<(from + count)] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard chars.count >= 20, let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
            let day = number(8, 2), chars[10] == 84 || chars[10] == 116 || chars[10] == 32, let hour = number(11, 2),
            chars[13] == 58, let minute = number(14, 2), chars[16] == 58, let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if index < chars.count && chars[index] == 46 {
            index += 1
            var scale: Int64 = 100
            while index < chars.count, chars[index] >= 48 && chars[index] <= 57 {
                fraction += Int64(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < chars.count else { return nil }
        var offset: Int64 = 0
        if chars[index] == 90 || chars[index] == 122 {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == 43 || chars[index] == 45, index + 6 == chars.count,
            let h = number(index + 1, 2), chars[index + 3] == 58, let m = number(index + 4, 2)
        {
            offset = (h * 60 + m) * 60 * (chars[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return seconds * 1000 + fraction
    }
}
