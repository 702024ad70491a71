import Foundation

/// The evaluation commands of a Prometheus test script (`promql/promqltest/testdata/*.test`): the expression and,
/// for `eval_fail`, the expected failure. Only what the parser needs; loading data is the engine's business.
struct PromQLTestScript {
    struct Eval {
        var file: String
        var line: Int
        var expression: String
        var expectsFailure: Bool
        var expectedMessage: String?
        var expectedPattern: String?
    }

    var evals: [Eval] = []

    init(file: String, text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard let eval = Self.parseEval(line, file: file, line: index + 1) else { continue }
            var command = eval
            // Expectations follow on indented lines until the next blank line or command.
            var next = index + 1
            while next < lines.count {
                let detail = lines[next].trimmingCharacters(in: .whitespaces)
                if detail.isEmpty || detail.hasPrefix("eval") || detail.hasPrefix("load") || detail == "clear" { break }
                if let message = detail.strippingPrefix("expected_fail_message ")
                    ?? detail.strippingPrefix(
                        "expect fail msg:")
                {
                    command.expectsFailure = true
                    command.expectedMessage = message.trimmingCharacters(in: .whitespaces)
                } else if let pattern = detail.strippingPrefix("expected_fail_regexp ")
                    ?? detail.strippingPrefix(
                        "expect fail regex:")
                {
                    command.expectsFailure = true
                    command.expectedPattern = pattern.trimmingCharacters(in: .whitespaces)
                } else if detail.hasPrefix("expect fail") {
                    command.expectsFailure = true
                }
                next += 1
            }
            evals.append(command)
        }
    }

    /// `eval[_fail|_warn|_ordered|_info] instant [at T] EXPR` or `eval[...] range from T to T step D EXPR`.
    private static func parseEval(_ line: String, file: String, line number: Int) -> Eval? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3,
            ["eval", "eval_fail", "eval_warn", "eval_ordered", "eval_info"].contains(words[0])
        else { return nil }
        let parameters: Int
        switch words[1] {
        case "instant": parameters = words[2] == "at" ? 4 : 2
        case "range":
            guard words.count > 8, words[2] == "from", words[4] == "to", words[6] == "step" else { return nil }
            parameters = 8
        default: return nil
        }
        guard words.count > parameters else { return nil }
        // The expression is the rest of the line after the parameters, spacing kept.
        let expression = line[words[parameters].startIndex...].trimmingCharacters(in: .whitespaces)
        return Eval(
            file: file, line: number, expression: expression, expectsFailure: words[0] == "eval_fail",
            expectedMessage: nil, expectedPattern: nil)
    }
}

extension String {
    fileprivate func strippingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}

/// `../shared`, found from this file's real location (symbolic links resolved).
enum SharedFolder {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static let promqltest = root.appendingPathComponent("conformance/promqltest")

    static var available: Bool { FileManager.default.fileExists(atPath: promqltest.path) }

    /// Every `*.test` script, sorted by name.
    static func scripts() throws -> [PromQLTestScript] {
        let names = try FileManager.default.contentsOfDirectory(atPath: promqltest.path)
            .filter { $0.hasSuffix(".test") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: promqltest.appendingPathComponent(name), encoding: .utf8)
            return PromQLTestScript(file: name, text: text)
        }
    }
}
