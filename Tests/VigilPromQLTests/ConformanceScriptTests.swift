import Foundation
import Testing
import VigilPromQL

/// Every expression of Prometheus's own PromQL test scripts parses, except where the script expects a parse error,
/// which must then be exactly Prometheus's.
@Suite struct ConformanceScriptTests {
    @Test(.enabled(if: SharedFolder.available, "../shared is absent: promqltest expressions not checked"))
    func everyScriptExpressionParses() throws {
        let scripts = try SharedFolder.scripts()
        #expect(!scripts.isEmpty)
        var parsed = 0
        var expectedFailures = 0
        var total = 0
        for script in scripts {
            for eval in script.evals {
                total += 1
                do {
                    let expr = try PromQLParser().parse(eval.expression)
                    parsed += 1
                    // The printed form parses back to the same tree.
                    let reparsed = try PromQLParser().parse(expr.description)
                    #expect(
                        canonical(reparsed) == canonical(expr),
                        "\(eval.file):\(eval.line): \(eval.expression) printed as \(expr.description)")
                } catch {
                    let matchesExpectation =
                        eval.expectsFailure
                        && (eval.expectedMessage.map { error.description.hasSuffix($0) } ?? false
                            || eval.expectedPattern.map {
                                error.description.range(of: $0, options: .regularExpression) != nil
                            }
                                ?? false)
                    #expect(
                        matchesExpectation, "\(eval.file):\(eval.line): \(eval.expression) failed to parse: \(error)")
                    if matchesExpectation { expectedFailures += 1 }
                }
            }
        }
        print("promqltest: \(parsed) of \(total) eval expressions parsed, \(expectedFailures) failed as expected")
        #expect(parsed + expectedFailures == total)
    }
}
