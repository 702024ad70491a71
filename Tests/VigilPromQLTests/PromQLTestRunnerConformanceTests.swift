import Foundation
import Testing
import VigilPromQL

/// Runs every script of ../shared/conformance/promqltest and holds the pass counts at their floor.
@Suite struct PromQLTestRunnerConformanceTests {
    /// Evals known to pass per file; raise these as the engine improves (a drop is a regression).
    /// Recorded with every instant eval also re-checked as a range query and at shifted `@` times; the evals not
    /// counted here are native-histogram cases, reported as skipped.
    static let floors: [String: Int] = [
        "aggregators.test": 122,
        "collision.test": 2,
        "functions.test": 313,
        "limit.test": 15,
        "literals.test": 20,
        "name_label_dropping.test": 20,
        "operators.test": 136,
        "range_queries.test": 8,
        "selectors.test": 31,
        "staleness.test": 17,
        "trig_functions.test": 19,
    ]

    @Test func conformanceScriptsPassAtLeastTheRecordedFloor() throws {
        guard SharedFolder.available else {
            print("skipping: \(SharedFolder.promqltest.path) is absent")
            return
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: SharedFolder.promqltest.path)
            .filter { $0.hasSuffix(".test") }.sorted()
        let verbose = ProcessInfo.processInfo.environment["PROMQLTEST_VERBOSE"] != nil
        for name in names {
            let text = try String(contentsOf: SharedFolder.promqltest.appendingPathComponent(name), encoding: .utf8)
            let report = PromQLTestRunner.run(script: text)
            print("promqltest \(name): passed \(report.passed) failed \(report.failed) skipped \(report.skipped)")
            if verbose {
                let shown =
                    ProcessInfo.processInfo.environment["PROMQLTEST_VERBOSE"] == "2"
                    ? report.results.filter { $0.status != .passed } : report.failures
                for failure in shown {
                    print(
                        "  \(name):\(failure.line) \(failure.expression)\n    \(failure.message.replacingOccurrences(of: "\n", with: "\n    "))"
                    )
                }
            }
            #expect(report.passed >= Self.floors[name, default: 0], "\(name) regressed")
        }
    }
}
