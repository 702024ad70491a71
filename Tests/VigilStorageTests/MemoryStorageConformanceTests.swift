import Testing
import VigilStorage
import VigilStorageTestSupport

extension MemoryStorage: StorageUnderTest {
    public var storedSampleCount: Int { statistics.sampleCount }
    public var rejectedSampleCounts: [StorageError.Code: Int] { statistics.rejectedSamples }
}

/// The storage semantics every implementation shares (``StorageConformance``), on the in-memory storage.
@Suite struct MemoryStorageConformanceTests {
    @Test func nothingIsVisibleBeforeCommit() throws {
        try StorageConformance.nothingIsVisibleBeforeCommit(MemoryStorage())
    }
    @Test func rollbackDropsEverything() throws { try StorageConformance.rollbackDropsEverything(MemoryStorage()) }
    @Test func commitMakesAllSeriesVisibleAtOnce() throws {
        try StorageConformance.commitMakesAllSeriesVisibleAtOnce(MemoryStorage())
    }
    @Test func referencesAppendWithoutLabels() throws {
        try StorageConformance.referencesAppendWithoutLabels(MemoryStorage())
    }
    @Test func failedAppendLeavesTheRestOfTheTransaction() throws {
        try StorageConformance.failedAppendLeavesTheRestOfTheTransaction(MemoryStorage())
    }
    @Test func staleMarkersAndNaNsAreStoredBitForBit() throws {
        try StorageConformance.staleMarkersAndNaNsAreStoredBitForBit(MemoryStorage())
    }
    @Test func conflictsBetweenTransactionsAreDroppedAtCommit() throws {
        try StorageConformance.conflictsBetweenTransactionsAreDroppedAtCommit(MemoryStorage())
    }
    @Test func sameTimestampSameValueIsAcceptedSilently() throws {
        try StorageConformance.sameTimestampSameValueIsAcceptedSilently(MemoryStorage())
    }
    @Test func rangeAndHintsTrimSamplesAndDropEmptySeries() throws {
        try StorageConformance.rangeAndHintsTrimSamplesAndDropEmptySeries(MemoryStorage())
    }
}
