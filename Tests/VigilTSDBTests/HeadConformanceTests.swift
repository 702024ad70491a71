import Testing
import VigilStorage
import VigilStorageTestSupport
import VigilTSDB

extension Head: StorageUnderTest {
    public var storedSampleCount: Int { statistics.sampleCount }
    public var rejectedSampleCounts: [StorageError.Code: Int] { statistics.rejectedSamples }
}

/// The storage semantics every implementation shares (``StorageConformance``), on the TSDB head.
@Suite struct HeadConformanceTests {
    @Test func nothingIsVisibleBeforeCommit() throws { try StorageConformance.nothingIsVisibleBeforeCommit(Head()) }
    @Test func rollbackDropsEverything() throws { try StorageConformance.rollbackDropsEverything(Head()) }
    @Test func commitMakesAllSeriesVisibleAtOnce() throws {
        try StorageConformance.commitMakesAllSeriesVisibleAtOnce(Head())
    }
    @Test func referencesAppendWithoutLabels() throws { try StorageConformance.referencesAppendWithoutLabels(Head()) }
    @Test func failedAppendLeavesTheRestOfTheTransaction() throws {
        try StorageConformance.failedAppendLeavesTheRestOfTheTransaction(Head())
    }
    @Test func staleMarkersAndNaNsAreStoredBitForBit() throws {
        try StorageConformance.staleMarkersAndNaNsAreStoredBitForBit(Head())
    }
    @Test func conflictsBetweenTransactionsAreDroppedAtCommit() throws {
        try StorageConformance.conflictsBetweenTransactionsAreDroppedAtCommit(Head())
    }
    @Test func sameTimestampSameValueIsAcceptedSilently() throws {
        try StorageConformance.sameTimestampSameValueIsAcceptedSilently(Head())
    }
    @Test func rangeAndHintsTrimSamplesAndDropEmptySeries() throws {
        try StorageConformance.rangeAndHintsTrimSamplesAndDropEmptySeries(Head())
    }
}
