import Foundation
import Testing
import VigilPromQL

/// No input crashes or hangs the parser: every outcome is a tree or an error with a position inside the query.
@Suite struct BadInputTests {
    /// Parses and checks the outcome is well-formed: a tree that prints and parses back to itself, or an error
    /// positioned within the query.
    static func checkOutcome(_ query: [UInt8], parser: PromQLParser = PromQLParser()) {
        do {
            let expr = try parser.parse(utf8: query)
            let printed = expr.description
            do {
                let reparsed = try parser.parse(printed)
                #expect(
                    canonical(reparsed) == canonical(expr), "round trip of \(String(decoding: query, as: UTF8.self))")
            } catch {
                Issue.record("\(String(decoding: query, as: UTF8.self)) printed as \(printed), which fails: \(error)")
            }
        } catch {
            #expect(error.code == .parse)
            if let position = error.position {
                #expect(position.start >= 0 && position.start <= query.count)
                #expect(position.end >= position.start || position.end == 0)
            }
            #expect(!error.message.isEmpty)
        }
    }

    /// Runs `body` on a thread with a fixed stack, so that tests of deep nesting do not depend on the test
    /// runner's threads (512 KiB on macOS).
    static func onLargeStack(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
        done.wait()
    }

    @Test(arguments: FuzzCorpus.seeds)
    func everyPrefixIsAValueOrAnError(seed: String) {
        let bytes = Array(seed.utf8)
        for length in 0...bytes.count {
            Self.checkOutcome(Array(bytes[0..<length]))
        }
    }

    @Test(arguments: FuzzCorpus.seeds)
    func everySuffixIsAValueOrAnError(seed: String) {
        let bytes = Array(seed.utf8)
        for start in 0...bytes.count {
            Self.checkOutcome(Array(bytes[start...]))
        }
    }

    /// Random edits of the corpus (seeded, so a failure reproduces): deleted, inserted, replaced and swapped
    /// bytes, spliced seeds, bytes that are not UTF-8.
    @Test func randomMutations() {
        var random = SplitMix64(seed: 0x5EED_CAFE)
        let alphabet =
            Array("(){}[],:=!~<>+-*/%^@\"'`\\#. \n0123456789aefinxsmhdwyAZ_".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        let seeds = FuzzCorpus.seeds.map { Array($0.utf8) }
        for _ in 0..<6000 {
            var query = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = query.isEmpty ? 0 : Int(random.next() % UInt64(query.count + 1))
                switch random.next() % 5 {
                case 0 where position < query.count:
                    query.remove(at: position)
                case 1:
                    query.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                case 2 where position < query.count:
                    query[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 3:
                    let other = seeds[Int(random.next() % UInt64(seeds.count))]
                    let cut = Int(random.next() % UInt64(other.count + 1))
                    query = Array(query[..<position]) + Array(other[cut...])
                default:
                    if position + 1 < query.count { query.swapAt(position, position + 1) }
                }
            }
            Self.checkOutcome(query)
        }
    }

    @Test func nestingAtTheLimitParsesAndBeyondIsAnError() {
        Self.onLargeStack {
            let limit = PromQLParser.Options().maxNestingDepth
            let shapes: [(Int) -> String] = [
                { String(repeating: "(", count: $0) + "1" + String(repeating: ")", count: $0) },
                { String(repeating: "abs(", count: $0) + "foo" + String(repeating: ")", count: $0) },
                { String(repeating: "sum(", count: $0) + "foo" + String(repeating: ")", count: $0) },
                { (0...$0).map { _ in "foo" }.joined(separator: " + ") },
                { (0...$0).map { _ in "foo" }.joined(separator: " ^ ") },
                // A call and a subquery per level: two levels each.
                {
                    String(repeating: "max_over_time(", count: $0 / 2) + "foo"
                        + String(repeating: "[1m:])", count: $0 / 2)
                },
                { String(repeating: "-", count: $0 - 1) + "foo" },
            ]
            for shape in shapes {
                let fits = shape(limit - 1)
                #expect(throws: Never.self, "\(fits.prefix(20))…") {
                    let expr = try PromQLParser(options: .init(maxNestingDepth: limit)).parse(fits)
                    _ = expr.description
                    _ = expr == expr
                    _ = expr.hashValue
                }
                let deep = shape(limit + 10)
                do {
                    _ = try PromQLParser().parse(deep)
                    Issue.record("\(deep.prefix(20))… parsed")
                } catch let error as PromQLError {
                    #expect(error.message == "expression nested too deeply (more than \(limit) levels)", "\(error)")
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
    }

    /// Prometheus's own fuzzing regression: 10,000 nested operators and 1,000 subqueries; fails fast here.
    @Test func prometheusDeepExpressionRegression() {
        let query = "(" + String(repeating: "-{}-1", count: 10000) + ")" + String(repeating: "[1m:]", count: 1000)
        let start = ContinuousClock.now
        #expect(throws: PromQLError.self) { try PromQLParser().parse(query) }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func hugeInputsStayLinear() throws {
        let terms = 100_000
        let query = "sum(" + (0..<terms).map { "x\($0)" }.joined(separator: ", ") + ")"
        let start = ContinuousClock.now
        #expect(throws: PromQLError.self) { try PromQLParser().parse(query) }
        let long = "foo{" + (0..<20_000).map { "l\($0)=\"v\($0)\"" }.joined(separator: ",") + "}"
        let expr = try PromQLParser().parse(long)
        guard case .vectorSelector(let selector) = expr else {
            Issue.record("not a selector")
            return
        }
        #expect(selector.matchers.count == 20_001)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test(arguments: [
        "1e309", "-1e309", "0x" + String(repeating: "f", count: 40), String(repeating: "9", count: 400),
        "1" + String(repeating: "0", count: 400) + "e-400",
        "foo @ 1e300", "foo[1e300]", "foo offset 1e300", "foo[99999999999999999999y]", "foo[0x7fffffffffffffff]",
    ])
    func extremeNumbers(query: String) {
        Self.checkOutcome(Array(query.utf8))
    }
}

/// A small, seedable generator (SplitMix64), so that fuzz failures reproduce.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
