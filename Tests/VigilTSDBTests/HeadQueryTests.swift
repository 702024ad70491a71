import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// Selection and label queries on the head, against the same expectations as MemoryStorage.
@Suite struct HeadQueryTests {

    @Test(arguments: StorageConformance.matcherCases)
    func matcherSemantics(_ name: String, _ matchers: [LabelMatcher], _ expected: [Int]) throws {
        try StorageConformance.matcherSemantics(Head(), name, matchers, expected)
    }

    @Test func labelNamesAndValues() throws {
        let head = Head()
        try head.load([
            (Labels.metric("up", ["job": "node", "instance": "a"]), samples(1000, 2000)),
            (Labels.metric("up", ["job": "gpu", "gpu": "0"]), samples(5000)),
            (Labels.metric("temp", ["job": "gpu", "gpu": "1", "zone": "z"]), samples(9000)),
        ])
        let querier = head.querier(mint: .min, maxt: .max)
        #expect(try querier.labelNames().values == ["__name__", "gpu", "instance", "job", "zone"])
        #expect(try querier.labelValues(name: "job").values == ["gpu", "node"])
        #expect(try querier.labelValues(name: "missing").values == [])
        let up = [matcher(.equal, "__name__", "up")]
        #expect(try querier.labelNames(matchers: up).values == ["__name__", "gpu", "instance", "job"])
        #expect(try querier.labelValues(name: "gpu", matchers: up).values == ["0"])
        #expect(try querier.labelValues(name: "zone", matchers: [matcher(.regexMatch, "job", ".+")]).values == ["z"])
        let early = head.querier(mint: 0, maxt: 2000)
        #expect(try early.labelNames().values == ["__name__", "instance", "job"])
        #expect(try early.labelValues(name: "job").values == ["node"])
        #expect(try querier.labelNames(matchers: [], hints: LabelHints(limit: 2)).values == ["__name__", "gpu"])
    }

    /// The head's index answers exactly as MemoryStorage on the same seeded random data, for random
    /// matcher combinations: the series, their samples, label names and values.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func agreesWithMemoryStorage(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let all = RandomLabelSets.make(count: 600, using: &random)
        let head = Head(options: .init(samplesPerChunk: 16))
        let memory = MemoryStorage()
        for batch in 0..<4 {
            let headAppender = head.appender()
            let memoryAppender = memory.appender()
            for (index, labels) in all.enumerated() {
                for step in 0..<Int.random(in: 0..<20, using: &random) {
                    let timestamp = Int64(batch * 10_000 + index % 7 * 1000 + step * 15)
                    let value = Double(Int.random(in: 0..<100, using: &random))
                    let headResult = Result { try headAppender.append(labels, timestamp: timestamp, value: value) }
                    let memoryResult = Result { try memoryAppender.append(labels, timestamp: timestamp, value: value) }
                    #expect((try? headResult.get()) == nil ? (try? memoryResult.get()) == nil : true)
                }
            }
            try headAppender.commit()
            try memoryAppender.commit()
        }
        let labelNames = ["__name__", "job", "instance", "zone", "missing"]
        let values: [String: [String]] = [
            "__name__": RandomLabelSets.names + ["nope"], "job": RandomLabelSets.jobs + ["nope"],
            "instance": ["i1", "i7", "i59", "i60"],
            "zone": RandomLabelSets.zones, "missing": ["v"],
        ]
        let regexes = [".*", ".+", "i1.*", "node|gpu", "|z1", "z.", "(up|x)", "i[0-9]", "DCGM_.*|up", "i5?9"]
        let ranges: [(Int64, Int64)] = [(.min, .max), (0, 12_000), (10_500, 10_900), (25_000, 26_000)]
        for _ in 0..<120 {
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
            let (mint, maxt) = ranges.randomElement(using: &random)!
            let got = head.querier(mint: mint, maxt: maxt)
            let want = memory.querier(mint: mint, maxt: maxt)
            #expect(try got.series(matchers) == want.series(matchers), "\(matchers) [\(mint), \(maxt)]")
            #expect(
                try got.labelNames(matchers: matchers).values == want.labelNames(matchers: matchers).values,
                "\(matchers)")
            #expect(
                try got.labelValues(name: "job", matchers: matchers).values
                    == want.labelValues(name: "job", matchers: matchers).values, "\(matchers)")
        }
        #expect(head.statistics.sampleCount == memory.statistics.sampleCount)
        #expect(
            try head.querier(mint: .min, maxt: .max).labelValues(name: "instance").values
                == memory.querier(mint: .min, maxt: .max).labelValues(name: "instance").values)
    }

    /// Label sets whose hashes collide are still distinct series.
    @Test func hashCollisionsKeepSeriesApart() throws {
        let head = Head(options: .init(), hash: { _ in 42 })
        let a = Labels.metric("a")
        let b = Labels.metric("b")
        let appender = head.appender()
        let refA = try appender.append(a, timestamp: 1, value: 1)
        let refB = try appender.append(b, timestamp: 1, value: 2)
        #expect(refA != refB)
        #expect(try appender.append(a, timestamp: 2, value: 3) == refA)
        try appender.commit()
        #expect(
            try head.series(matcher(.equal, metricNameLabel, "a")) == [SeriesData(a, [Sample(1, 1), Sample(2, 3)])])
        #expect(try head.series(matcher(.equal, metricNameLabel, "b")) == [SeriesData(b, [Sample(1, 2)])])
        #expect(head.statistics.seriesCount == 2)
    }

    @Test func literalPrefixes() {
        func prefix(_ value: String) -> String? {
            MatcherShape.literalPrefix(of: matcher(.regexMatch, "l", value))
        }
        #expect(prefix("foo.*") == "foo")
        #expect(prefix("fo?") == "f")
        #expect(prefix("f*") == nil)
        #expect(prefix("a|b") == nil)
        #expect(prefix(".*") == nil)
    }
}
