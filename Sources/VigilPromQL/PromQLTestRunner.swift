import VigilModel
import VigilStorage

/// Runs Prometheus's PromQL test-script DSL (`promql/promqltest/testdata/*.test`) on the in-memory storage.
///
/// Native-histogram cases (series or expectations written `{{...}}`) are reported as skipped, never as passed.
public enum PromQLTestRunner {
    /// The outcome of one `eval` command.
    public struct EvalResult: Sendable {
        public enum Status: String, Sendable { case passed, failed, skipped }
        public var line: Int
        public var expression: String
        public var status: Status
        /// Why it failed (a diff of expected and actual), or why it was skipped.
        public var message: String
    }

    /// What running one script produced.
    public struct Report: Sendable {
        public var results: [EvalResult] = []
        public var passed: Int { results.filter { $0.status == .passed }.count }
        public var failed: Int { results.filter { $0.status == .failed }.count }
        public var skipped: Int { results.filter { $0.status == .skipped }.count }
        public var failures: [EvalResult] { results.filter { $0.status == .failed } }
    }

    /// Runs `script`; with `rangeRecheck`, every instant eval is also run as a range query, as Prometheus does.
    public static func run(script: String, rangeRecheck: Bool = true) -> Report {
        var state = RunnerState(rangeRecheck: rangeRecheck)
        state.run(script)
        return state.report
    }

    /// An in-memory storage holding what the script's `load` commands load (its `eval`s are not run).
    public static func storage(loading script: String) -> any Queryable {
        var state = RunnerState(rangeRecheck: false)
        state.evaluates = false
        state.run(script)
        return state.storage
    }
}

private struct ExpectedSeries {
    var labels: Labels
    var values: [Double?]
}

private struct EvalCommand {
    var line: Int
    var expression: String
    var instantTime: Int64 = 0
    var range: (start: Int64, end: Int64, step: Int64)?
    var fail = false
    var failMessage: String?
    var failPattern: String?
    var warn = false
    var warnMessages: [String] = []
    var infoMessages: [String] = []
    var noWarn = false
    var info = false
    var noInfo = false
    var ordered = false
    var expected: [ExpectedSeries] = []
    var expectedScalar: Double?
    var expectedString: String?
    var skip: String?
    var legacyWarnInfo = false
}

private struct RunnerState {
    let rangeRecheck: Bool
    var evaluates = true
    var storage = MemoryStorage()
    /// Series that hold native-histogram samples (not loaded): evals that select them are skipped.
    var histogramSeries: [Labels] = []
    var report = PromQLTestRunner.Report()
    let engine = Engine(options: Engine.Options(timeoutSeconds: 100))

    init(rangeRecheck: Bool) { self.rangeRecheck = rangeRecheck }

    mutating func run(_ script: String) {
        let raw = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines: [(Int, String)] = []
        for (index, line) in raw.enumerated() {
            let trimmed = line.trimmedOfSpaces
            if trimmed.hasPrefix("#") { continue }
            lines.append((index + 1, trimmed))
        }
        var i = 0
        while i < lines.count {
            let (number, line) = lines[i]
            i += 1
            if line.isEmpty { continue }
            var block: [String] = []
            while line != "clear" && i < lines.count && !lines[i].1.isEmpty {
                block.append(lines[i].1)
                i += 1
            }
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            switch words[0] {
            case "clear":
                storage = MemoryStorage()
                histogramSeries = []
            case "load", "load_with_nhcb": load(interval: words.count > 1 ? words[1] : "1m", block)
            case "eval", "eval_fail", "eval_warn", "eval_info", "eval_ordered":
                guard evaluates else { continue }
                let result = evaluate(line, number: number, block: block)
                report.results.append(result)
            default:
                report.results.append(
                    .init(line: number, expression: line, status: .failed, message: "unknown command"))
            }
        }
    }

    // MARK: - load

    mutating func load(interval: String, _ lines: [String]) {
        let step = RunnerState.duration(interval.trimmedOfSpaces) ?? 60_000
        let appender = storage.appender()
        // A series written twice in one block keeps its last definition, as in Prometheus.
        var order: [Labels] = []
        var definitions: [Labels: [Double?]] = [:]
        for line in lines {
            guard let (labels, values) = RunnerState.parseSeriesLine(line) else { continue }
            if line.contains("{{") { histogramSeries.append(labels) }
            if definitions[labels] == nil { order.append(labels) }
            definitions[labels] = values
        }
        for labels in order {
            for (k, value) in definitions[labels]!.enumerated() {
                guard let value else { continue }
                _ = try? appender.append(labels, timestamp: Int64(k) * step, value: value)
            }
        }
        try? appender.commit()
    }

    // MARK: - eval

    func evaluate(_ line: String, number: Int, block: [String]) -> PromQLTestRunner.EvalResult {
        guard var command = RunnerState.parseEval(line, number: number) else {
            return .init(line: number, expression: line, status: .failed, message: "invalid eval command")
        }
        var resultLines: [String] = []
        for detail in block {
            if detail.hasPrefix("expected_fail_message ") {
                command.fail = true
                command.failMessage = String(detail.dropFirst("expected_fail_message ".count))
            } else if detail.hasPrefix("expected_fail_regexp ") {
                command.fail = true
                command.failPattern = String(detail.dropFirst("expected_fail_regexp ".count))
            } else if detail.hasPrefix("expect ") {
                let rest = detail.dropFirst(7).trimmedOfSpaces
                if rest.hasPrefix("fail") {
                    command.fail = true
                    if let r = rest.firstRange(of: "msg:") {
                        command.failMessage = rest[r.upperBound...].trimmedOfSpaces
                    } else if let r = rest.firstRange(of: "regex:") {
                        command.failPattern = rest[r.upperBound...].trimmedOfSpaces
                    }
                } else if rest.hasPrefix("no_warn") {
                    command.noWarn = true
                } else if rest.hasPrefix("warn") {
                    command.warn = true
                    if let r = rest.firstRange(of: "msg:") {
                        command.warnMessages.append(rest[r.upperBound...].trimmedOfSpaces)
                    }
                } else if rest.hasPrefix("no_info") {
                    command.noInfo = true
                } else if rest.hasPrefix("info") {
                    command.info = true
                    if let r = rest.firstRange(of: "msg:") {
                        command.infoMessages.append(rest[r.upperBound...].trimmedOfSpaces)
                    }
                } else if rest.hasPrefix("ordered") {
                    command.ordered = true
                } else if rest.hasPrefix("range vector") {
                    command.skip = "range vector expectations are not supported"
                }
            } else {
                resultLines.append(detail)
            }
        }
        if command.expression.contains("{{") || resultLines.contains(where: { $0.contains("{{") }) {
            command.skip = "native histograms"
        }
        var selectsHistograms = false
        if !histogramSeries.isEmpty, let expr = try? PromQLParser().parse(command.expression) {
            selectsHistograms = Self.selectors(expr).contains { s in
                histogramSeries.contains { l in s.allSatisfy { $0.matches(l) } }
            }
        }
        if let skip = command.skip {
            return .init(line: number, expression: command.expression, status: .skipped, message: skip)
        }
        for detail in resultLines {
            if detail.hasPrefix("\"") || detail.hasPrefix("'") || detail.hasPrefix("`") {
                command.expectedString = String(detail.dropFirst().dropLast())
            } else if let value = Engine.parseSampleValue(detail) {
                command.expectedScalar = value
            } else if let (labels, values) = RunnerState.parseSeriesLine(detail) {
                command.expected.append(ExpectedSeries(labels: labels, values: values))
            } else {
                return .init(
                    line: number, expression: command.expression, status: .failed,
                    message: "cannot parse expected result \(detail)")
            }
        }
        let message = check(command)
        if let message, selectsHistograms {
            // Native histograms are not loaded; an answer that needed them is not a float-engine failure.
            return .init(
                line: number, expression: command.expression, status: .skipped,
                message: "selects native histograms (without them: \(message))")
        }
        return .init(
            line: number, expression: command.expression, status: message == nil ? .passed : .failed,
            message: message
                ?? (selectsHistograms ? "passed on the float series; native histograms it selects are not loaded" : ""))
    }

    static func parseEval(_ line: String, number: Int) -> EvalCommand? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 3 else { return nil }
        var command = EvalCommand(line: number, expression: "")
        switch words[0] {
        case "eval_fail": command.fail = true
        case "eval_warn":
            command.warn = true
            command.legacyWarnInfo = true
        case "eval_info":
            command.info = true
            command.legacyWarnInfo = true
        case "eval_ordered": command.ordered = true
        default: break
        }
        var consumed: Int
        switch words[1] {
        case "instant":
            if words[2] == "at" {
                guard words.count > 4, let t = duration(words[3]) else { return nil }
                command.instantTime = t
                consumed = 4
            } else {
                consumed = 2
            }
        case "range":
            guard words.count > 8, words[2] == "from", words[4] == "to", words[6] == "step",
                let start = duration(words[3]), let end = duration(words[5]), let step = duration(words[7])
            else { return nil }
            command.range = (start, end, step)
            consumed = 8
        default: return nil
        }
        // The expression is the rest of the line, spacing kept.
        var rest = Substring(line)
        for _ in 0..<consumed {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            rest = rest.drop { $0 != " " && $0 != "\t" }
        }
        command.expression = rest.trimmedOfSpaces
        return command
    }

    static func duration(_ text: String) -> Int64? {
        if case .success(let ms) = PromQLDuration.parse(text) { return ms }
        if let seconds = Double(text) { return Int64((seconds * 1000).rounded()) }
        return nil
    }

    static func selectors(_ expr: Expr) -> [[LabelMatcher]] {
        var out: [[LabelMatcher]] = []
        var stack = [expr]
        while let e = stack.popLast() {
            switch e {
            case .vectorSelector(let s): out.append(s.matchers)
            case .matrixSelector(let m): out.append(m.vectorSelector.matchers)
            default: stack.append(contentsOf: e.children)
            }
        }
        return out
    }

    // MARK: - series notation

    /// `name{a="b"} 1+1x3 _ stale`: the labels and one value per step (nil where missing).
    static func parseSeriesLine(_ line: String) -> (Labels, [Double?])? {
        let chars = Array(line)
        var i = 0
        while i < chars.count && chars[i] != "{" && chars[i] != " " && chars[i] != "\t" { i += 1 }
        if i < chars.count && chars[i] == "{" {
            var quote: Character?
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == "\\" { i += 1 } else if c == q { quote = nil }
                } else if c == "\"" || c == "'" || c == "`" {
                    quote = c
                } else if c == "}" {
                    i += 1
                    break
                }
                i += 1
            }
        }
        let descriptor = String(chars[0..<i]).trimmedOfSpaces
        guard let labels = parseLabels(descriptor) else { return nil }
        var values: [Double?] = []
        for token in tokens(String(chars[i...])) {
            guard let expanded = expand(token) else { return nil }
            values.append(contentsOf: expanded)
        }
        return (labels, values)
    }

    /// Whitespace-separated tokens; a native histogram `{{...}}` (with an optional `x3`-style suffix) is one.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "{" { depth += 1 }
            if c == "}" { depth -= 1 }
            if (c == " " || c == "\t") && depth == 0 {
                if !current.isEmpty { out.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func parseLabels(_ descriptor: String) -> Labels? {
        if descriptor == "{}" { return Labels() }
        guard case .vectorSelector(let selector) = try? PromQLParser().parse(descriptor) else { return nil }
        return Labels(selector.matchers.map { Label($0.name, $0.value) })
    }

    static func expand(_ token: String) -> [Double?]? {
        if token == "_" { return [nil] }
        if token == "stale" { return [staleNaN] }
        if token.hasPrefix("{{") {
            // A native histogram: not loaded; `{{...}}x3` and `{{...}}+{{...}}x3` stand for 4 samples.
            if let close = token.lastRange(of: "}}"),
                let x = token[close.upperBound...].lastIndex(of: "x"),
                let times = Int(token[token.index(after: x)...])
            {
                return Array(repeating: nil, count: times + 1)
            }
            return [nil]
        }
        if let x = token.lastIndex(of: "x"), let times = Int(token[token.index(after: x)...]) {
            let head = String(token[..<x])
            if head == "_" { return Array(repeating: nil, count: times) }
            if head == "stale" { return Array(repeating: staleNaN, count: times) }
            // Split `a+b` / `a-b` at the operator that is neither leading nor an exponent sign.
            let chars = Array(head)
            var split: Int?
            for k in stride(from: chars.count - 1, to: 0, by: -1) where chars[k] == "+" || chars[k] == "-" {
                if chars[k - 1] != "e" && chars[k - 1] != "E" {
                    split = k
                    break
                }
            }
            var base: Double
            var increment = 0.0
            if let split {
                guard let b = Engine.parseSampleValue(String(chars[..<split])),
                    let inc = Engine.parseSampleValue(String(chars[(split + 1)...]))
                else { return nil }
                base = b
                increment = chars[split] == "-" ? -inc : inc
            } else {
                guard let b = Engine.parseSampleValue(head) else { return nil }
                base = b
            }
            var out: [Double?] = [base]
            for _ in 0..<times {
                base += increment
                out.append(base)
            }
            return out
        }
        guard let v = Engine.parseSampleValue(token) else { return nil }
        return [v]
    }

    // MARK: - checking

    /// Runs the eval; an instant eval also with `@` added at shifted times, as Prometheus's runner does.
    func check(_ command: EvalCommand) -> String? {
        guard command.range == nil, rangeRecheck, let expr = try? PromQLParser().parse(command.expression) else {
            return check(command, expr: nil, at: command.instantTime)
        }
        if let failure = check(command, expr: expr, at: command.instantTime) { return failure }
        let ts = command.instantTime
        var unsafe = false
        let pinned = Self.pinning(expr, at: ts, underAt: false, unsafe: &unsafe)
        if unsafe { return nil }
        let times: [Int64] = ts == 0 ? [0, -1000, 1000] : [-10 * ts, 0, ts / 5, ts, 10 * ts]
        for time in times {
            if let failure = check(command, expr: pinned, at: time) {
                return "with @ \(GoStrconv.formatShortest(Double(ts) / 1000)) evaluated at \(time)ms: " + failure
            }
        }
        return nil
    }

    private static let atModifierUnsafeFunctions: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
        "predict_linear", "time", "timestamp",
    ]

    /// Sets `@ ts` on every selector and subquery without one, outside subqueries that have one.
    static func pinning(_ e: Expr, at ts: Int64, underAt: Bool, unsafe: inout Bool) -> Expr {
        switch e {
        case .numberLiteral, .stringLiteral: return e
        case .vectorSelector(var s):
            if s.at == nil && !underAt { s.at = .timestamp(milliseconds: ts) }
            return .vectorSelector(s)
        case .matrixSelector(var m):
            if m.vectorSelector.at == nil && !underAt { m.vectorSelector.at = .timestamp(milliseconds: ts) }
            return .matrixSelector(m)
        case .subquery(var s):
            if underAt { return e }
            if s.at != nil {
                var ignored = false
                _ = pinning(s.expr, at: ts, underAt: true, unsafe: &ignored)
                return e
            }
            s.at = .timestamp(milliseconds: ts)
            return .subquery(s)
        case .call(var c):
            if !underAt && atModifierUnsafeFunctions.contains(c.function.name) { unsafe = true }
            c.args = c.args.map { pinning($0, at: ts, underAt: underAt, unsafe: &unsafe) }
            return .call(c)
        case .aggregate(var a):
            a.expr = pinning(a.expr, at: ts, underAt: underAt, unsafe: &unsafe)
            a.param = a.param.map { pinning($0, at: ts, underAt: underAt, unsafe: &unsafe) }
            return .aggregate(a)
        case .binary(let b):
            return .binary(
                BinaryExpr(
                    b.op, lhs: pinning(b.lhs, at: ts, underAt: underAt, unsafe: &unsafe),
                    rhs: pinning(b.rhs, at: ts, underAt: underAt, unsafe: &unsafe), returnBool: b.returnBool,
                    matching: b.matching))
        case .unary(let u):
            return .unary(
                UnaryExpr(
                    u.op, pinning(u.expr, at: ts, underAt: underAt, unsafe: &unsafe), startPosition: u.startPosition))
        case .paren(var p):
            p.expr = pinning(p.expr, at: ts, underAt: underAt, unsafe: &unsafe)
            return .paren(p)
        }
    }

    private func check(_ command: EvalCommand, expr: Expr?, at time: Int64) -> String? {
        let result: QueryResult
        do {
            if let range = command.range {
                result = try engine.rangeQuery(
                    command.expression, start: range.start, end: range.end, step: range.step, on: storage)
            } else if let expr {
                result = try engine.instantQuery(expr, at: time, on: storage)
            } else {
                result = try engine.instantQuery(command.expression, at: time, on: storage)
            }
        } catch {
            guard command.fail else { return "unexpected error: \(error)" }
            let text = "\(error)"
            if let message = command.failMessage, message != text {
                return "expected error \(GoStrconv.quote(message)), got \(GoStrconv.quote(text))"
            }
            if let pattern = command.failPattern,
                (try? text.firstMatch(of: Regex(pattern))) == nil
            {
                return "expected error matching \(pattern), got \(GoStrconv.quote(text))"
            }
            return nil
        }
        if command.fail { return "expected an error, got none" }
        if command.warn && result.warnings.isEmpty { return "expected warnings, got none" }
        if !command.warn && !result.warnings.isEmpty {
            return "unexpected warnings: \(result.warnings)"
        }
        if command.info && result.infos.isEmpty { return "expected info annotations, got none" }
        for message in command.warnMessages where !result.warnings.contains(message) {
            return "expected warning \(GoStrconv.quote(message)), got \(result.warnings)"
        }
        for message in command.infoMessages where !result.infos.contains(message) {
            return "expected info \(GoStrconv.quote(message)), got \(result.infos)"
        }
        if !command.info && !result.infos.isEmpty { return "unexpected info annotations: \(result.infos)" }
        if let failure = compare(command, result.value) { return failure }
        if rangeRecheck, command.range == nil, !command.ordered {
            switch result.value {
            case .vector, .scalar:
                let t = time
                let ranged: QueryResult
                do {
                    if let expr {
                        ranged = try engine.rangeQuery(
                            expr, start: t - 60_000, end: t + 60_000, step: 60_000, on: storage)
                    } else {
                        ranged = try engine.rangeQuery(
                            command.expression, start: t - 60_000, end: t + 60_000, step: 60_000, on: storage)
                    }
                } catch {
                    return "error in range mode: \(error)"
                }
                guard case .matrix(let series) = ranged.value else { return nil }
                var samples: [VectorSample] = []
                for s in series {
                    if let p = s.samples.first(where: { $0.timestamp == t }) {
                        samples.append(VectorSample(labels: s.labels, timestamp: t, value: p.value))
                    }
                }
                let value: QueryValue
                if case .scalar = result.value {
                    value = .scalar(samples.first?.value ?? .nan, timestamp: t)
                } else {
                    value = .vector(samples)
                }
                if let failure = compare(command, value) { return "range query re-check: " + failure }
            default: break
            }
        }
        return nil
    }

    func compare(_ command: EvalCommand, _ value: QueryValue) -> String? {
        switch value {
        case .scalar(let v, _):
            guard let expected = command.expectedScalar else {
                return "expected \(command.expected.count) series, got scalar \(v)"
            }
            return Self.equal(expected, v) ? nil : "expected scalar \(expected), got \(v)"
        case .string(let s, _):
            return command.expectedString == s ? nil : "expected string \(command.expectedString ?? "nil"), got \(s)"
        case .vector(let samples):
            if command.expectedScalar != nil { return "expected scalar, got vector of \(samples.count)" }
            if samples.count != command.expected.count {
                return "expected \(command.expected.count) samples, got \(samples.count):\n"
                    + diff(command.expected, samples.map { ($0.labels, [$0.value]) })
            }
            for (k, sample) in samples.enumerated() {
                guard let index = command.expected.firstIndex(where: { $0.labels == sample.labels }) else {
                    return "unexpected series \(sample.labels) \(sample.value):\n"
                        + diff(command.expected, samples.map { ($0.labels, [$0.value]) })
                }
                if command.ordered && index != k {
                    return "expected \(sample.labels) at position \(index + 1), got it at \(k + 1)"
                }
                let expected = command.expected[index].values
                guard expected.count == 1, let e = expected[0], Self.equal(e, sample.value) else {
                    return "expected \(expected) for \(sample.labels), got \(sample.value)"
                }
            }
            return nil
        case .matrix(let series):
            if command.range == nil {
                return "unexpected range vector result in an instant query"
            }
            var expected = command.expected
            if let scalar = command.expectedScalar {
                expected = [ExpectedSeries(labels: Labels(), values: [scalar])]
            }
            if series.count != expected.count {
                return "expected \(expected.count) series, got \(series.count):\n"
                    + diff(expected, series.map { ($0.labels, $0.samples.map(\.value)) })
            }
            guard let range = command.range else { return nil }
            for s in series {
                guard let e = expected.first(where: { $0.labels == s.labels }) else {
                    return "unexpected series \(s.labels):\n"
                        + diff(expected, series.map { ($0.labels, $0.samples.map(\.value)) })
                }
                var wanted: [Sample] = []
                for (k, v) in e.values.enumerated() {
                    if let v { wanted.append(Sample(range.start + Int64(k) * range.step, v)) }
                }
                let ok =
                    wanted.count == s.samples.count
                    && zip(wanted, s.samples).allSatisfy {
                        $0.timestamp == $1.timestamp && Self.equal($0.value, $1.value)
                    }
                if !ok {
                    let got = s.samples.map { "\(GoStrconv.formatShortest($0.value))@\($0.timestamp / 1000)" }
                    let want = wanted.map { "\(GoStrconv.formatShortest($0.value))@\($0.timestamp / 1000)" }
                    return "series \(s.labels): expected \(want), got \(got)"
                }
            }
            return nil
        }
    }

    func diff(_ expected: [ExpectedSeries], _ actual: [(Labels, [Double])]) -> String {
        var lines: [String] = []
        for e in expected {
            lines.append(
                "- \(e.labels) \(e.values.map { $0.map(GoStrconv.formatShortest) ?? "_" }.joined(separator: " "))")
        }
        for a in actual {
            lines.append("+ \(a.0) \(a.1.map(GoStrconv.formatShortest).joined(separator: " "))")
        }
        return lines.joined(separator: "\n")
    }

    static func equal(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        return Evaluator.almostEqual(a, b, 0.000001)
    }
}

extension PromQLTestRunner {
    /// A series line in the expanding notation (`name{a="b"} 1+1x3 _ stale`): its labels and one value per
    /// step, nil where missing. Native-histogram values (`{{...}}`) read as missing. Rule unit tests
    /// (`promtool test rules`) write their input series in this notation.
    package static func parseSeriesLine(_ line: String) -> (labels: Labels, values: [Double?])? {
        RunnerState.parseSeriesLine(line).map { (labels: $0.0, values: $0.1) }
    }

    /// A sample value as the test DSL writes it: Go float syntax, `Inf`, `NaN`, hex.
    package static func parseSampleValue(_ text: String) -> Double? { Engine.parseSampleValue(text) }
}

extension Engine {
    /// A sample value as the test DSL writes it: Go float syntax, `Inf`, `NaN`, hex.
    static func parseSampleValue(_ text: String) -> Double? {
        var t = text
        var negative = false
        if t.hasPrefix("-") {
            negative = true
            t.removeFirst()
        } else if t.hasPrefix("+") {
            t.removeFirst()
        }
        let v: Double?
        switch t.lowercased() {
        case "inf", "infinity": v = .infinity
        case "nan": v = .nan
        default:
            if t.isEmpty || t.contains(where: { $0.isLetter && !"eExXabcdefABCDEF".contains($0) }) { return nil }
            if case .value(let d) = GoStrconv.parsePromQLNumber(t) { v = d } else { v = nil }
        }
        guard let v else { return nil }
        return negative ? -v : v
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmedOfSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// The last occurrence of `needle`.
    fileprivate func lastRange(of needle: String) -> Range<Index>? {
        var found: Range<Index>?
        var start = startIndex
        while let r = self[start...].firstRange(of: needle) {
            found = r
            start = index(after: r.lowerBound)
        }
        return found
    }
}
