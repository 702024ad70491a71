import Foundation
import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// Random but replayable series: a few metrics × jobs × instances, irregular timestamps, decimal values,
/// over `[0, span)`. Every fourth series has staleness markers, so blocks hold packed chunks (decimals) and
/// XOR chunks (the runs with a NaN) side by side.
func randomSeries(seed: UInt64, count: Int, span: Int64) -> [(Labels, [Sample])] {
    var generator = SeededGenerator(seed: seed)
    var result: [(Labels, [Sample])] = []
    for index in 0..<count {
        let labels = Labels.metric(
            "metric_\(index % 4)",
            ["job": "job\(index % 3)", "instance": "host-\(index)", "zone": index % 2 == 0 ? "a" : ""])
        var samples: [Sample] = []
        var time = Int64.random(in: 0..<60_000, using: &generator)
        while time < span {
            let value: Double =
                index % 4 == 0 && Int.random(in: 0..<50, using: &generator) == 0
                ? staleNaN : Double(Int.random(in: 0..<1000, using: &generator)) / 4
            samples.append(Sample(time, value))
            time += Int64.random(in: 1...120_000, using: &generator)
        }
        result.append((labels, samples))
    }
    return result
}

let queryMatchers: [[LabelMatcher]] = [
    [matcher(.equal, "__name__", "metric_1")],
    [matcher(.regexMatch, "__name__", "metric_.*")],
    [matcher(.regexMatch, "job", "job0|job2"), matcher(.notEqual, "zone", "a")],
    [matcher(.equal, "zone", "")],
    [matcher(.regexMatch, "instance", "host-1.*"), matcher(.regexNoMatch, "__name__", "metric_3")],
    [matcher(.equal, "job", "nope")],
]

@Suite struct BlockTests {
    /// Writes a head's data as a block through the writer the TSDB uses.
    static func writeBlock(from head: Head, in directory: String, minTime: Int64, maxTime: Int64) throws -> BlockMeta? {
        let writer = try BlockWriter(parent: directory, minTime: minTime, maxTime: maxTime)
        for (labels, chunks, _) in head.seriesSnapshots() {
            var iterator = HeadSampleIterator(chunks: chunks, mint: minTime, maxt: maxTime - 1)
            var samples: [Sample] = []
            while iterator.next() { samples.append(iterator.at()) }
            try writer.add(labels, samples: samples)
        }
        return try writer.finish()
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func blockAnswersAsTheHeadItCameFrom(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let head = Head()
        let span: Int64 = 8 * 3_600_000
        try head.load(randomSeries(seed: seed, count: 40, span: span))
        let meta = try #require(try Self.writeBlock(from: head, in: directory.path, minTime: 0, maxTime: span))
        #expect(meta.stats.numSeries == 40)
        #expect(meta.stats.numSamples == head.statistics.sampleCount)
        let block = try BlockReader(directory: directory.path + "/" + meta.ulid)
        #expect(block.meta == meta)
        let encodings = Set(block.series.flatMap { $0.chunks.map(\.encoding) })
        #expect(encodings == [.xor, .packed])
        var generator = SeededGenerator(seed: seed)
        for matchers in queryMatchers {
            for _ in 0..<5 {
                let mint = Int64.random(in: -1000..<span, using: &generator)
                let maxt = mint + Int64.random(in: 0..<span, using: &generator)
                let expected = try head.querier(mint: mint, maxt: maxt).series(matchers)
                let actual = try block.querier(mint: mint, maxt: maxt).series(matchers)
                #expect(actual == expected, "\(matchers) over [\(mint), \(maxt)]")
                let hints = SelectHints(start: mint + 1000, end: maxt - 1000)
                #expect(
                    try block.querier(mint: mint, maxt: maxt).series(matchers, hints: hints)
                        == head.querier(mint: mint, maxt: maxt).series(matchers, hints: hints))
            }
            #expect(
                try block.querier(mint: .min, maxt: .max).labelValues(name: "instance", matchers: matchers).values
                    == head.querier(mint: .min, maxt: .max).labelValues(name: "instance", matchers: matchers).values)
        }
        #expect(
            try block.querier(mint: 0, maxt: span).labelNames().values
                == head.querier(mint: 0, maxt: span).labelNames().values)
    }

    @Test func blockNamesSortByCreationTime() {
        let earlier = BlockID.make(milliseconds: 1_000)
        let later = BlockID.make(milliseconds: 2_000)
        #expect(BlockID.isValid(earlier) && BlockID.isValid(later))
        #expect(earlier < later)
    }

    enum Damage: String, CaseIterable, Sendable {
        case chunkBitFlip, truncatedIndex, truncatedChunks, missingMeta, garbageMeta, indexBitFlip
    }

    @Test(arguments: Damage.allCases)
    func damagedBlockIsQuarantinedAndTheRestServes(damage: Damage) throws {
        let directory = TemporaryDirectory()
        let head = Head()
        try head.load(randomSeries(seed: 7, count: 10, span: 4 * 3_600_000))
        let bad = try #require(try Self.writeBlock(from: head, in: directory.path, minTime: 0, maxTime: 7_200_000))
        let good = try #require(
            try Self.writeBlock(from: head, in: directory.path, minTime: 7_200_000, maxTime: 14_400_000))
        let path = directory.path + "/" + bad.ulid
        switch damage {
        case .chunkBitFlip:
            var bytes = TestFile.read(path + "/chunks/000001")
            bytes[bytes.count / 2] ^= 0x10
            TestFile.write(path + "/chunks/000001", bytes)
        case .truncatedIndex:
            let bytes = TestFile.read(path + "/index")
            TestFile.write(path + "/index", Array(bytes.prefix(bytes.count - 10)))
        case .truncatedChunks:
            let bytes = TestFile.read(path + "/chunks/000001")
            TestFile.write(path + "/chunks/000001", Array(bytes.prefix(bytes.count / 3)))
        case .missingMeta:
            try FileManager.default.removeItem(atPath: path + "/meta.json")
        case .garbageMeta:
            TestFile.write(path + "/meta.json", Array("{\"ulid\": 3".utf8))
        case .indexBitFlip:
            var bytes = TestFile.read(path + "/index")
            bytes[bytes.count / 2] ^= 0x01
            TestFile.write(path + "/index", bytes)
        }
        #expect(throws: StorageError.self) { try BlockReader(directory: path) }

        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(db.quarantined.count == 1)
        #expect(db.quarantined.first?.path == path + ".damaged")
        #expect(db.quarantined.first?.error.code == .corruption)
        #expect(TestFile.exists(path + ".damaged") && !TestFile.exists(path))
        #expect(db.blocks.map(\.ulid) == [good.ulid])
        let all = [matcher(.regexMatch, "__name__", ".+")]
        #expect(
            try db.querier(mint: 0, maxt: .max).series(all)
                == head.querier(mint: 7_200_000, maxt: 14_399_999).series(all))
    }
}

@Suite struct BlockDamageFuzzTests {
    /// Random byte flips and truncations of every file of a block: each is refused at open, never a trap.
    @Test func randomDamageIsAlwaysRefused() throws {
        let directory = TemporaryDirectory()
        let head = Head()
        try head.load(randomSeries(seed: 3, count: 8, span: 3_600_000))
        let meta = try #require(
            try BlockTests.writeBlock(from: head, in: directory.path, minTime: 0, maxTime: 3_600_000))
        let path = directory.path + "/" + meta.ulid
        var generator = SeededGenerator(seed: 99)
        for file in ["index", "chunks/000001", "meta.json"] {
            let original = TestFile.read(path + "/" + file)
            for round in 0..<60 {
                var damaged = original
                if round % 3 == 0 {
                    damaged = Array(original.prefix(Int.random(in: 0..<original.count, using: &generator)))
                } else {
                    let position = Int.random(in: 0..<original.count, using: &generator)
                    damaged[position] ^= UInt8.random(in: 1...255, using: &generator)
                }
                TestFile.write(path + "/" + file, damaged)
                if file == "meta.json", let reader = try? BlockReader(directory: path) {
                    // A flip in JSON whitespace or a digit can leave a valid meta: then it must still serve.
                    _ = try? reader.querier(mint: .min, maxt: .max).series([matcher(.regexMatch, "__name__", ".+")])
                } else {
                    #expect(throws: StorageError.self, "\(file) round \(round)") { try BlockReader(directory: path) }
                }
            }
            TestFile.write(path + "/" + file, original)
        }
        #expect(try BlockReader(directory: path).meta == meta)
    }
}
