import Foundation
import VigilModel
import VigilPromQL
import VigilStorage

/// `promtool test rules`: runs rule unit-test files on an in-memory storage, evaluating the rule groups
/// every `evaluation_interval` as promtool does, and reports in promtool's words.
///
/// Native histograms are not evaluated: input series written `{{...}}` are not loaded, and
/// `promql_expr_test` cases that expect a `histogram:` are skipped (reported in ``UnitTestReport/skipped``).
public enum RuleUnitTester {
    public struct Options: Sendable {
        /// `--run`: only test groups whose name matches one of these regular expressions.
        public var run: [String]
        /// `--ignore-unknown-fields`: unknown keys in rule files are not errors.
        public var ignoreUnknownFields: Bool
        /// The lookback of instant selectors (`--query.lookback-delta`; default 5m).
        public var lookbackDeltaMilliseconds: Int64

        public init(run: [String] = [], ignoreUnknownFields: Bool = false, lookbackDeltaMilliseconds: Int64 = 300_000) {
            self.run = run
            self.ignoreUnknownFields = ignoreUnknownFields
            self.lookbackDeltaMilliseconds = lookbackDeltaMilliseconds
        }
    }

    /// What running one test file gave.
    public struct FileOutcome: Sendable {
        public var path: String
        /// promtool's error texts, in order; empty when the file passed.
        public var failures: [String]
        /// Warnings printed before the verdict (rule-file patterns that match nothing).
        public var warnings: [String]
        /// Checks not run (native histograms), with the reason.
        public var skipped: [String]
        public var passed: Bool { failures.isEmpty }
    }

    /// The outcome of a run: `passed` when every file passed, and the text promtool prints (stdout and
    /// stderr in order).
    public struct UnitTestReport: Sendable {
        public var files: [FileOutcome]
        public var passed: Bool { files.allSatisfy(\.passed) }
        public var skipped: [String] { files.flatMap(\.skipped) }
        public var text: String {
            var out = ""
            for file in files {
                out += "Unit Testing:  \(file.path)\n"
                for warning in file.warnings { out += warning + "\n" }
                if file.passed {
                    out += "  SUCCESS\n"
                } else {
                    out += "  FAILED:\n"
                    for failure in file.failures { out += failure + "\n\n" }
                }
                out += "\n"
            }
            return out
        }
    }

    /// Runs the unit-test files at `paths`.
    public static func run(files paths: [String], options: Options = Options()) -> UnitTestReport {
        UnitTestReport(files: paths.map { run(file: $0, options: options) })
    }

    static func run(file path: String, options: Options) -> FileOutcome {
        var outcome = FileOutcome(path: path, failures: [], warnings: [], skipped: [])
        guard let data = FileManager.default.contents(atPath: path) else {
            outcome.failures = ["open \(path): no such file or directory"]
            return outcome
        }
        let (parsed, errors) = RuleUnitTestFile.parse(String(decoding: data, as: UTF8.self), path: path)
        guard let file = parsed else {
            outcome.failures = RuleFile.describe(errors)
            return outcome
        }
        var ruleFiles: [String] = []
        let base = GoFormat.directory(path)
        for pattern in file.ruleFiles {
            let resolved = pattern.isEmpty ? pattern : GoFormat.join(base, pattern)
            let matches = FileGlob.matches(resolved)
            if matches.isEmpty { outcome.warnings.append("  WARNING: no file match pattern \(resolved)") }
            ruleFiles += matches
        }
        var order: [String: Int] = [:]
        for (index, name) in file.groupEvalOrder.enumerated() {
            guard order[name] == nil else {
                outcome.failures = ["group name repeated in evaluation order: \(name)"]
                return outcome
            }
            order[name] = index
        }
        var patterns: [Regex<AnyRegexOutput>] = []
        if !options.run.isEmpty {
            do {
                patterns = [try Regex(options.run.joined(separator: "|"))]
            } catch {
                outcome.failures = ["invalid --run pattern: \(error)"]
                return outcome
            }
        }
        for test in file.tests {
            if let pattern = patterns.first, (try? pattern.firstMatch(in: test.name)) == nil { continue }
            var run = TestGroupRun(
                test: test, file: file, ruleFiles: ruleFiles, order: order, options: options)
            outcome.failures += run.run()
            outcome.skipped += run.skipped
        }
        return outcome
    }
}

/// One test group: its storage, its rule groups, the evaluation loop and the checks.
struct TestGroupRun {
    let test: RuleUnitTestFile.TestGroup
    let file: RuleUnitTestFile
    let ruleFiles: [String]
    let order: [String: Int]
    let options: RuleUnitTester.Options
    var skipped: [String] = []

    init(
        test: RuleUnitTestFile.TestGroup, file: RuleUnitTestFile, ruleFiles: [String], order: [String: Int],
        options: RuleUnitTester.Options
    ) {
        self.test = test
        self.file = file
        self.ruleFiles = ruleFiles
        self.order = order
        self.options = options
    }

    var evaluationInterval: Int64 { file.evaluationIntervalMilliseconds }

    mutating func run() -> [String] {
        let interval = test.intervalMilliseconds ?? evaluationInterval
        let start = test.startTimestampMilliseconds
        // Input samples in time order, loaded lazily up to each evaluation time (promtool's LazyLoader).
        var samples: [(Labels, Int64, Double)] = []
        for input in test.inputSeries {
            let line = input.series + " " + input.values
            guard let (labels, values) = PromQLTestRunner.parseSeriesLine(line) else {
                return [Self.seriesError(input)]
            }
            for (step, value) in values.enumerated() {
                if let value { samples.append((labels, start + Int64(step) * interval, value)) }
            }
        }
        samples.sort { $0.1 < $1.1 }

        let engine = Engine(
            options: Engine.Options(
                lookbackDeltaMilliseconds: options.lookbackDeltaMilliseconds, timeoutSeconds: nil,
                defaultSubqueryStepMilliseconds: evaluationInterval))
        let groupOptions = RuleGroup.Options(
            engine: engine, externalLabels: test.externalLabels, externalURL: test.externalURL,
            defaultIntervalMilliseconds: interval)
        var groups: [RuleGroup] = []
        var loadErrors: [String] = []
        for path in ruleFiles {
            let result = RuleFile.load(path: path, ignoreUnknownFields: options.ignoreUnknownFields)
            guard let ruleFile = result.file, result.errors.isEmpty else {
                loadErrors += RuleFile.describe(result.errors)
                continue
            }
            do {
                groups += try RuleGroup.groups(of: ruleFile, options: groupOptions)
            } catch {
                loadErrors.append(error.description)
            }
        }
        if !loadErrors.isEmpty { return loadErrors }
        let ranked = groups.enumerated().sorted { a, b in
            let (x, y) = (order[a.element.name] ?? 0, order[b.element.name] ?? 0)
            return x != y ? x < y : a.offset < b.offset
        }
        groups = ranked.map(\.element)

        for alert in test.alertRuleTests where alert.alertname.isEmpty {
            let suffix = test.name.isEmpty ? "" : " (in TestGroup \(test.name))"
            return [
                "an item under alert_rule_test misses required attribute alertname at eval_time "
                    + PrometheusDuration.format(milliseconds: alert.evalTimeMilliseconds) + suffix
            ]
        }
        let alertTimes = Array(Set(test.alertRuleTests.map(\.evalTimeMilliseconds))).sorted()
        let maxEval =
            (test.alertRuleTests.map(\.evalTimeMilliseconds) + test.promqlExprTests.map(\.evalTimeMilliseconds))
            .max() ?? 0

        let storage = MemoryStorage()
        var loaded = 0
        var errors: [String] = []
        var next = 0
        var ts = start
        while ts <= start + maxEval {
            if loaded < samples.count {
                let appender = storage.appender()
                while loaded < samples.count && samples[loaded].1 <= ts {
                    _ = try? appender.append(samples[loaded].0, timestamp: samples[loaded].1, value: samples[loaded].2)
                    loaded += 1
                }
                try? appender.commit()
            }
            var evaluationErrors: [String] = []
            for index in groups.indices {
                _ = groups[index].evaluate(at: ts, on: storage, appendingTo: storage)
                for rule in groups[index].rules {
                    if let error = rule.lastError {
                        evaluationErrors.append(
                            "    rule: \(rule.name), time: \(GoFormat.duration(milliseconds: ts - start)), err: \(error.message)"
                        )
                    }
                }
            }
            errors += evaluationErrors
            if !evaluationErrors.isEmpty { return errors }

            while next < alertTimes.count && ts - start <= alertTimes[next]
                && alertTimes[next] < ts - start + evaluationInterval
            {
                let time = alertTimes[next]
                for alertTest in test.alertRuleTests where alertTest.evalTimeMilliseconds == time {
                    if let failure = check(alertTest, groups: groups) { errors.append(failure) }
                }
                next += 1
            }
            ts += evaluationInterval
        }

        for exprTest in test.promqlExprTests {
            if let failure = check(
                exprTest, at: start + exprTest.evalTimeMilliseconds, engine: engine, storage: storage)
            {
                errors.append(failure)
            }
        }
        return errors
    }

    /// Why an input series does not load: promtool's parse error of the load line when the series itself
    /// is not a selector, else which values are wrong.
    static func seriesError(_ input: RuleUnitTestFile.InputSeries) -> String {
        if (try? PromQLParser().parse(input.series)) == nil {
            do {
                _ = try PromQLParser().parse(input.series + " " + input.values)
            } catch {
                return "\(error)"
            }
            return "cannot parse input series \(GoQuote.quote(input.series))"
        }
        return "cannot parse values \(GoQuote.quote(input.values)) of input series \(input.series)"
    }

    // MARK: - alerts

    typealias LabelsAndAnnotations = (labels: Labels, annotations: Labels)

    func check(_ alertTest: RuleUnitTestFile.AlertRuleTest, groups: [RuleGroup]) -> String? {
        var got: [LabelsAndAnnotations] = []
        for group in groups {
            for rule in group.rules where rule.kind == .alerting && rule.name == alertTest.alertname {
                for alert in rule.activeAlerts where alert.state == .firing {
                    got.append((alert.labels, alert.annotations))
                }
            }
        }
        var expected: [LabelsAndAnnotations] = alertTest.expectedAlerts.map { alert in
            (
                Labels(alert.labels.filter { $0.name != "alertname" } + [Label("alertname", alertTest.alertname)]),
                Labels(alert.annotations)
            )
        }
        func precedes(_ a: LabelsAndAnnotations, _ b: LabelsAndAnnotations) -> Bool {
            let c = Labels.compare(a.labels, b.labels)
            return c != 0 ? c < 0 : Labels.compare(a.annotations, b.annotations) < 0
        }
        got.sort(by: precedes)
        expected.sort(by: precedes)
        let same =
            got.count == expected.count
            && zip(got, expected).allSatisfy { $0.labels == $1.labels && $0.annotations == $1.annotations }
        if same { return nil }
        let name = test.name.isEmpty ? "" : "    name: \(test.name),\n"
        let indent = "            "
        return name + "    alertname: \(alertTest.alertname), time: "
            + PrometheusDuration.format(milliseconds: alertTest.evalTimeMilliseconds) + ", \n        exp:"
            + Self.indentLines(Self.describe(expected), indent) + ", \n        got:"
            + Self.indentLines(Self.describe(got), indent)
    }

    static func describe(_ list: [LabelsAndAnnotations]) -> String {
        guard !list.isEmpty else { return "[]" }
        var out = "["
        for (index, item) in list.enumerated() {
            out += (index == 0 ? "\n" : ",\n") + "\(index):"
            out += indentLines(
                "\nLabels:" + goLabels(item.labels) + "\nAnnotations:" + goLabels(item.annotations), "  ")
        }
        return out + "\n]"
    }

    static func indentLines(_ text: String, _ indent: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            index == 0 ? String(line) : indent + line
        }.joined(separator: "\n")
    }

    /// `labels.Labels.String()`: `{a="1", b="2"}` with Go quoting.
    static func goLabels(_ labels: Labels) -> String {
        "{" + labels.map { "\($0.name)=\(GoQuote.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    // MARK: - PromQL expressions

    mutating func check(
        _ exprTest: RuleUnitTestFile.PromQLExprTest, at time: Int64, engine: Engine, storage: MemoryStorage
    ) -> String? {
        let timeText = PrometheusDuration.format(milliseconds: exprTest.evalTimeMilliseconds)
        if exprTest.expectedSamples.contains(where: { $0.histogram != nil }) {
            skipped.append(
                "expr: \(GoQuote.quote(exprTest.expr)), time: \(timeText): native-histogram expectations are not evaluated")
            return nil
        }
        var got: [(Labels, Double)] = []
        do {
            let result = try engine.instantQuery(exprTest.expr, at: time, on: storage)
            switch result.value {
            case .vector(let samples): got = samples.map { ($0.labels, $0.value) }
            case .scalar(let value, _): got = [(Labels(), value)]
            default: throw RulesError(.evaluation, "rule result is not a vector or scalar")
            }
        } catch {
            return "    expr: \(GoQuote.quote(exprTest.expr)), time: \(timeText), err: \(error)"
        }
        var expected: [(Labels, Double)] = []
        for sample in exprTest.expectedSamples {
            guard let labels = Self.parseMetric(sample.labels) else {
                var message = "labels \(GoQuote.quote(sample.labels))"
                do { _ = try PromQLParser().parse(sample.labels) } catch { message += ": \(error)" }
                return "    expr: \(GoQuote.quote(exprTest.expr)), time: \(timeText), err: \(message)"
            }
            expected.append((labels, sample.value))
        }
        expected.sort { Labels.compare($0.0, $1.0) < 0 }
        got.sort { Labels.compare($0.0, $1.0) < 0 }
        let fuzzy = file.fuzzyCompare
        let same =
            expected.count == got.count
            && zip(expected, got).allSatisfy { e, g in e.0 == g.0 && Self.equal(e.1, g.1, fuzzy: fuzzy) }
        if same { return nil }
        return
            "    expr: \(GoQuote.quote(exprTest.expr)), time: \(timeText),\n        exp: \(Self.describe(expected))\n        got: \(Self.describe(got))"
    }

    static func describe(_ samples: [(Labels, Double)]) -> String {
        samples.isEmpty ? "nil" : samples.map { goLabels($0.0) + " " + GoFormat.exponent($0.1) }.joined(separator: ", ")
    }

    /// Exact equality (NaN equals NaN); with `fuzzy_compare`, equal up to the last bit or so of rounding.
    static func equal(_ a: Double, _ b: Double, fuzzy: Bool) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        guard fuzzy, a.isFinite, b.isFinite else { return false }
        let sum = a.magnitude + b.magnitude
        if a == 0 || b == 0 || sum < Double.leastNormalMagnitude {
            return (a - b).magnitude < 1e-16 * Double.leastNormalMagnitude
        }
        return (a - b).magnitude / min(sum, Double.greatestFiniteMagnitude) < 1e-16
    }

    /// `parser.ParseMetric`: `name{a="b"}`, `{a="b"}` or `name` (equality matchers only).
    static func parseMetric(_ text: String) -> Labels? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty || text.trimmingCharacters(in: .whitespaces) == "{}" {
            return Labels()
        }
        guard case .vectorSelector(let selector) = try? PromQLParser().parse(text) else { return nil }
        guard selector.matchers.allSatisfy({ $0.kind == .equal }) else { return nil }
        return Labels(selector.matchers.map { Label($0.name, $0.value) })
    }
}

/// Go's `filepath.Glob` for rule-file patterns (`*`, `?` and `[...]` in the last path element).
enum FileGlob {
    static func matches(_ pattern: String) -> [String] {
        let meta: Set<Character> = ["*", "?", "["]
        guard pattern.contains(where: { meta.contains($0) }) else {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        let directory = GoFormat.directory(pattern)
        let name = String(pattern.split(separator: "/").last ?? "")
        guard !directory.contains(where: { meta.contains($0) }),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        return entries.filter { match(Array(name), Array($0)) }.sorted().map {
            pattern.contains("/") ? GoFormat.join(directory, $0) : $0
        }
    }

    static func match(_ pattern: [Character], _ name: [Character]) -> Bool {
        if pattern.isEmpty { return name.isEmpty }
        switch pattern[0] {
        case "*":
            for skip in 0...name.count where match(Array(pattern.dropFirst()), Array(name.dropFirst(skip))) {
                return true
            }
            return false
        case "?":
            return !name.isEmpty && match(Array(pattern.dropFirst()), Array(name.dropFirst()))
        case "[":
            guard let close = pattern.firstIndex(of: "]"), !name.isEmpty else { return false }
            var set = Array(pattern[1..<close])
            let negate = set.first == "^"
            if negate { set.removeFirst() }
            var found = false
            var i = 0
            while i < set.count {
                if i + 2 < set.count && set[i + 1] == "-" {
                    if set[i] <= name[0] && name[0] <= set[i + 2] { found = true }
                    i += 3
                } else {
                    if set[i] == name[0] { found = true }
                    i += 1
                }
            }
            return found != negate && match(Array(pattern[(close + 1)...]), Array(name.dropFirst()))
        default:
            return name.first == pattern[0] && match(Array(pattern.dropFirst()), Array(name.dropFirst()))
        }
    }
}
