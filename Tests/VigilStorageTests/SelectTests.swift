import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// Series selection by matchers, as Prometheus selects: every matcher holds, an absent label is the
/// empty string, no matchers select nothing.
@Suite struct SelectTests {
    static func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        try storage.load(series: StorageConformance.matcherDataset.map { ($0, samples(1000, 2000)) })
        return storage
    }

    @Test(arguments: StorageConformance.matcherCases)
    func matcherSemantics(_ name: String, _ matchers: [LabelMatcher], _ expected: [Int]) throws {
        try StorageConformance.matcherSemantics(MemoryStorage(), name, matchers, expected)
    }

    @Test func sortedSelectionIsInLabelOrder() throws {
        let storage = MemoryStorage()
        // Created in reverse order, so the index order (creation) differs from label order.
        for index in (0..<30).reversed() {
            try storage.load(series: [(Labels.metric("m", ["i": String(index)]), samples(1))])
        }
        let labels = try storage.querier(mint: .min, maxt: .max)
            .series([matcher(.equal, "__name__", "m")], sorted: true).map(\.labels)
        #expect(labels.count == 30)
        #expect(zip(labels, labels.dropFirst()).allSatisfy { Labels.compare($0, $1) < 0 })
        // Prefixes sort first, as in Prometheus's labels.Compare.
        #expect(Labels.compare(["a": "1"], ["a": "1", "b": "1"]) < 0)
        #expect(Labels.compare(["a": "1", "b": "1"], ["a": "1"]) > 0)
        #expect(Labels.compare(["a": "1"], ["a": "1"]) == 0)
        #expect(Labels.compare(["a": "2"], ["b": "1"]) < 0)
    }

    /// The inverted index answers exactly as filtering every series would, on a seeded random data set
    /// with random matcher combinations.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func indexAgreesWithBruteForce(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let all = RandomLabelSets.make(count: 800, using: &random)
        let storage = MemoryStorage()
        let appender = storage.appender()
        for (index, labels) in all.enumerated() {
            // Every third series has its sample outside the queried range.
            try appender.append(labels, timestamp: index % 3 == 0 ? 50_000 : 1_000, value: Double(index))
        }
        try appender.commit()
        let querier = storage.querier(mint: 0, maxt: 10_000)
        let inRange = Set(all.enumerated().filter { $0.offset % 3 != 0 }.map(\.element))

        let labelNames = ["__name__", "job", "instance", "zone", "missing"]
        let values: [String: [String]] = [
            "__name__": RandomLabelSets.names + ["nope"], "job": RandomLabelSets.jobs + ["nope"],
            "instance": ["i1", "i7", "i59", "i60"],
            "zone": RandomLabelSets.zones, "missing": ["v"],
        ]
        let regexes = [".*", ".+", "i1.*", "node|gpu", "|z1", "z.", "(up|x)", "i[0-9]", "DCGM_.*|up"]
        for _ in 0..<150 {
            var matchers: [LabelMatcher] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let name = labelNames.randomElement(using: &random)!
                let kind = LabelMatcher.Kind.allCases.randomElement(using: &random)!
                let value: String
                switch kind {
                case .equal, .notEqual:
                    value =
                        Int.random(in: 0..<6, using: &random) == 0 ? "" : values[name]!.randomElement(using: &random)!
                case .regexMatch, .regexNoMatch:
                    value = regexes.randomElement(using: &random)!
                }
                matchers.append(matcher(kind, name, value))
            }
            let expected = all.filter { labels in
                inRange.contains(labels) && matchers.allSatisfy { $0.matches(labels) }
            }.sorted { Labels.compare($0, $1) < 0 }
            let got = try querier.series(matchers, sorted: true).map(\.labels)
            #expect(got == expected, "\(matchers)")

            let expectedNames = Set(expected.flatMap { $0.map(\.name) }).sorted()
            #expect(try querier.labelNames(matchers: matchers).values == expectedNames, "\(matchers)")
            let expectedJobs = Set(expected.compactMap { $0["job"] }).sorted()
            #expect(try querier.labelValues(name: "job", matchers: matchers).values == expectedJobs, "\(matchers)")
        }
        // Unsorted selection returns the same set.
        let unsorted = try querier.series([matcher(.regexMatch, "job", ".*")], sorted: false).map(\.labels)
        #expect(Set(unsorted) == inRange)
        #expect(unsorted.count == inRange.count)
    }
}
