import Testing
import VigilBenchmarks

/// `vigil bench rules` at a tiny size: the benchmark runs end to end and counts what it did. No timings
/// are asserted.
@Suite struct RulesBenchmarkTests {
    @Test func evaluatesGeneratedAndBuiltinRules() throws {
        let result = try RulesBenchmark.run(nodes: 1, hours: 1, rules: 24, rounds: 4)
        #expect(result.generatedRules == 24)
        #expect(result.builtinRules > 30)
        // 2 generated groups (20 and 4 rules) at 15 s, every round; the built-in groups at 30 s and 1 m.
        #expect(result.groups > 2)
        #expect(result.rulesEvaluated > 24 * 4 + result.builtinRules)
        #expect(result.ruleFailures == 0)
        #expect(result.samplesWritten > 0)
        #expect(result.firingAlerts + result.pendingAlerts > 0)
        #expect(result.cpuSecondsPerRound >= 0)
        #expect(result.groupMedianMilliseconds <= result.groupP99Milliseconds)
    }

    @Test func generatedRuleFileHasGroupsOfTwentyWithAMix() {
        let text = RulesBenchmark.makeRuleFile(rules: 45)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  - name: bench-") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("      - alert: ") }.count == 45)
        for shape in ["rate(", "max_over_time(", "avg by (node)", "predict_linear(", "for: "] {
            #expect(text.contains(shape), "no \(shape) in the generated rules")
        }
    }

    @Test func noRulesStillEvaluatesTheBuiltinPack() throws {
        let result = try RulesBenchmark.run(nodes: 1, hours: 1, rules: 0, rounds: 1)
        #expect(result.generatedRules == 0)
        #expect(result.rulesEvaluated > 0)
    }

    @Test func notifierComputesNotificationsForEveryAlert() async throws {
        let result = try await RulesBenchmark.runNotifier(alerts: 200)
        #expect(result.alerts == 200)
        #expect(result.flushSeconds >= 0)
    }
}
