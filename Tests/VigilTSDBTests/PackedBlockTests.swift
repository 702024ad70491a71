import Foundation
import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// Blocks store decimal runs as packed chunks and everything else as XOR, in chunk file version 2; blocks
/// of version 1 (XOR only, written before packed chunks existed) keep being read.
@Suite struct PackedBlockTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let all = [matcher(.regexMatch, "__name__", ".+")]

    /// Copies the version-1 fixture block into `directory`.
    static func copyVersion1Block(into directory: String) throws -> String {
        let source = fixtures.appendingPathComponent("block-v1")
        let block = try #require(
            try FileManager.default.contentsOfDirectory(atPath: source.path).first { BlockID.isValid($0) })
        try FileManager.default.copyItem(atPath: source.path + "/" + block, toPath: directory + "/" + block)
        return directory + "/" + block
    }

    @Test("a version-1 block answers as the same data imported today")
    func version1BlocksStillRead() throws {
        let old = TemporaryDirectory()
        let path = try Self.copyVersion1Block(into: old.path)
        let block = try BlockReader(directory: path)
        #expect(block.series.allSatisfy { $0.chunks.allSatisfy { $0.encoding == .xor } })

        let new = TemporaryDirectory()
        let report = try TSDB.importOpenMetrics(
            file: Self.fixtures.appendingPathComponent("block-v1/source.om").path, into: new.path)
        #expect(report.samples == 530)
        let imported = try BlockReader(directory: new.path + "/" + report.blocks[0].ulid)
        let encodings = imported.series.map { ($0.labels.metricName, Set($0.chunks.map(\.encoding))) }
        // gpu_power ends with a NaN: that sample is an XOR chunk of its own; the rest is packed.
        #expect(encodings.filter { $0.0 == "gpu_power" }.allSatisfy { $0.1 == [.packed, .xor] })
        #expect(encodings.filter { $0.0 != "gpu_power" }.allSatisfy { $0.1 == [.packed] })

        let oldDB = try TSDB.open(directory: old.path)
        defer { try? oldDB.close() }
        let newDB = try TSDB.open(directory: new.path)
        defer { try? newDB.close() }
        let expected = try newDB.querier(mint: .min, maxt: .max).series(Self.all)
        #expect(expected.count == 4)
        #expect(try oldDB.querier(mint: .min, maxt: .max).series(Self.all) == expected)
        #expect(imported.byteCount < block.byteCount)
    }

    @Test("a series is cut into as few packed chunks as 1,440 samples allow, of equal size")
    func evenChunks() throws {
        let directory = TemporaryDirectory()
        let writer = try BlockWriter(parent: directory.path, minTime: 0, maxTime: 1 << 40)
        for (name, count) in [("a", 3000), ("b", 1440), ("c", 1441), ("d", 7)] {
            let samples = (0..<count).map { Sample(Int64($0) * 15_000, Double($0 % 97) / 4) }
            try writer.add(Labels.metric(name), samples: samples)
        }
        let meta = try #require(try writer.finish())
        let block = try BlockReader(directory: directory.path + "/" + meta.ulid)
        let sizes = block.series.map { $0.chunks.map(\.sampleCount) }
        #expect(sizes == [[1000, 1000, 1000], [1440], [721, 720], [7]])
        #expect(block.series.allSatisfy { $0.chunks.allSatisfy { $0.encoding == .packed } })
        let c = try block.querier(mint: 0, maxt: .max).series([matcher(.equal, "__name__", "c")])
        #expect(c.first?.samples.count == 1441)
    }

    @Test("a run the packed encoder declines is written as XOR chunks of 120; NaN splits decimal runs")
    func declinedRunsAreXOR() throws {
        let directory = TemporaryDirectory()
        let writer = try BlockWriter(parent: directory.path, minTime: 0, maxTime: 1 << 40)
        let irrational = (0..<300).map { Sample(Int64($0) * 15_000, Double($0) * .pi) }
        try writer.add(Labels.metric("a_irrational"), samples: irrational)
        let stale = Double(bitPattern: 0x7ff0_0000_0000_0002)
        let gaps: Set<Int> = [40, 41, 99]
        let gappy = (0..<100).map { (index: Int) -> Sample in
            Sample(Int64(index) * 15_000, gaps.contains(index) ? stale : Double(index))
        }
        try writer.add(Labels.metric("b_gappy"), samples: gappy)
        let meta = try #require(try writer.finish())
        let block = try BlockReader(directory: directory.path + "/" + meta.ulid)
        #expect(block.series[0].chunks.map(\.sampleCount) == [120, 120, 60])
        #expect(block.series[0].chunks.allSatisfy { $0.encoding == .xor })
        #expect(block.series[1].chunks.map(\.sampleCount) == [40, 2, 57, 1])
        #expect(block.series[1].chunks.map(\.encoding) == [.packed, .xor, .packed, .xor])
        let read = try block.querier(mint: 0, maxt: .max).series(Self.all)
        #expect(read.map(\.samples.count) == [300, 100])
        #expect(read.first?.samples == irrational)
        #expect(read.last?.samples.map { $0.value.bitPattern } == gappy.map { $0.value.bitPattern })
    }

    @Test("samples out of order are refused, also where a NaN splits packed and XOR chunks")
    func outOfOrder() throws {
        let directory = TemporaryDirectory()
        let writer = try BlockWriter(parent: directory.path, minTime: 0, maxTime: 1 << 40)
        for samples in [
            [Sample(0, 1), Sample(15_000, 2), Sample(15_000, .nan)],
            [Sample(0, 1), Sample(30_000, 2), Sample(15_000, 3)],
        ] {
            #expect {
                try writer.add(Labels.metric("m"), samples: samples)
            } throws: { error in
                (error as? StorageError)?.code == .outOfOrderSample
                    && (error as? StorageError)?.message.contains("not in ascending order at 15000") == true
            }
        }
        writer.abort()
    }

    /// The offset and length of the first chunk in a version-2 chunk file.
    static func firstChunk(_ file: [UInt8]) throws -> (encoding: Int, data: Range<Int>) {
        var at = BlockWriter.chunkMagic.count
        let length = Int(try Varint.decodeUnsigned(from: file, at: &at))
        return (at, (at + 1)..<(at + 1 + length))
    }

    /// Rewrites a chunk's CRC after changing its bytes, so the damage gets past the checksum.
    static func resealFirstChunk(_ file: inout [UInt8]) throws {
        let chunk = try firstChunk(file)
        let crc = CRC32C.checksum(file[chunk.encoding..<chunk.data.upperBound])
        for (index, shift) in [24, 16, 8, 0].enumerated() {
            file[chunk.data.upperBound + index] = UInt8(truncatingIfNeeded: crc >> UInt32(shift))
        }
    }

    static func writeDecimalBlock(in directory: String) throws -> String {
        let writer = try BlockWriter(parent: directory, minTime: 0, maxTime: 1 << 40)
        try writer.add(Labels.metric("gauge"), samples: (0..<100).map { Sample(Int64($0) * 15_000, Double($0 % 7)) })
        let meta = try #require(try writer.finish())
        return directory + "/" + meta.ulid
    }

    @Test("an unknown encoding byte is refused at open, naming the chunk")
    func unknownEncoding() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writeDecimalBlock(in: directory.path)
        var file = TestFile.read(path + "/chunks/000001")
        let chunk = try Self.firstChunk(file)
        #expect(file[chunk.encoding] == ChunkEncoding.packed.rawValue)
        file[chunk.encoding] = 9
        try Self.resealFirstChunk(&file)
        TestFile.write(path + "/chunks/000001", file)
        #expect {
            try BlockReader(directory: path)
        } throws: { error in
            (error as? StorageError)?.message.contains("chunk at offset 5 has unknown encoding 9") == true
        }
    }

    @Test("a packed chunk that passes its CRC but does not decode fails the query with corruption, not a trap")
    func undecodablePackedChunk() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writeDecimalBlock(in: directory.path)
        var file = TestFile.read(path + "/chunks/000001")
        let chunk = try Self.firstChunk(file)
        #expect(file[chunk.data.lowerBound] == 100)
        file[chunk.data.lowerBound] = 120  // declares more samples than its frames hold
        try Self.resealFirstChunk(&file)
        TestFile.write(path + "/chunks/000001", file)
        let block = try BlockReader(directory: path)
        #expect {
            try block.querier(mint: 0, maxt: .max).series(Self.all)
        } throws: { error in
            (error as? StorageError)?.code == .corruption
        }
        var iterator = HeadSampleIterator(chunks: block.series[0].chunks, mint: 0, maxt: .max)
        let moved = iterator.next()
        #expect(!moved)
        #expect(iterator.error?.message == "chunk 0 does not decode")
    }
}
