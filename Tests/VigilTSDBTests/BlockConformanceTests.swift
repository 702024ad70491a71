import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// Blocks under ``StorageConformance``: appends go to a head (transactions are the head's), and every query
/// reads a block written from the head's data at that moment, so the checks' selections run against block
/// chunks (packed, and XOR for NaN, staleness markers and −0) and the block index.
final class BlockUnderTest: StorageUnderTest, @unchecked Sendable {  // one test, one thread
    let head = Head()
    let directory = TemporaryDirectory()

    var storedSampleCount: Int { head.statistics.sampleCount }
    var rejectedSampleCounts: [StorageError.Code: Int] { head.statistics.rejectedSamples }

    func appender() -> any Appender { head.appender() }

    func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        let writer = try BlockWriter(parent: directory.path, minTime: -(1 << 61), maxTime: 1 << 61)
        for (labels, chunks, deleted) in head.seriesSnapshots() {
            var iterator = HeadSampleIterator(chunks: chunks, mint: .min, maxt: .max, deleted: deleted)
            var samples: [Sample] = []
            while iterator.next() { samples.append(iterator.at()) }
            if !samples.isEmpty { try writer.add(labels, samples: samples) }
        }
        guard let meta = try writer.finish() else { return try head.querier(mint: mint, maxt: maxt) }
        return try BlockReader(directory: directory.path + "/" + meta.ulid).querier(mint: mint, maxt: maxt)
    }
}

@Suite struct BlockConformanceTests {
    @Test func nothingIsVisibleBeforeCommit() throws {
        try StorageConformance.nothingIsVisibleBeforeCommit(BlockUnderTest())
    }
    @Test func rollbackDropsEverything() throws { try StorageConformance.rollbackDropsEverything(BlockUnderTest()) }
    @Test func commitMakesAllSeriesVisibleAtOnce() throws {
        try StorageConformance.commitMakesAllSeriesVisibleAtOnce(BlockUnderTest())
    }
    @Test func referencesAppendWithoutLabels() throws {
        try StorageConformance.referencesAppendWithoutLabels(BlockUnderTest())
    }
    @Test func failedAppendLeavesTheRestOfTheTransaction() throws {
        try StorageConformance.failedAppendLeavesTheRestOfTheTransaction(BlockUnderTest())
    }
    @Test func staleMarkersAndNaNsAreStoredBitForBit() throws {
        try StorageConformance.staleMarkersAndNaNsAreStoredBitForBit(BlockUnderTest())
    }
    @Test func conflictsBetweenTransactionsAreDroppedAtCommit() throws {
        try StorageConformance.conflictsBetweenTransactionsAreDroppedAtCommit(BlockUnderTest())
    }
    @Test func sameTimestampSameValueIsAcceptedSilently() throws {
        try StorageConformance.sameTimestampSameValueIsAcceptedSilently(BlockUnderTest())
    }
    @Test func rangeAndHintsTrimSamplesAndDropEmptySeries() throws {
        // Label lookups without matchers answer from the block's index (BlockQuerier), as Prometheus's do.
        try StorageConformance.rangeAndHintsTrimSamplesAndDropEmptySeries(BlockUnderTest(), exactLabelLookups: false)
    }
    @Test(arguments: StorageConformance.matcherCases)
    func matcherSemantics(_ name: String, _ matchers: [LabelMatcher], _ expected: [Int]) throws {
        try StorageConformance.matcherSemantics(BlockUnderTest(), name, matchers, expected)
    }
}
