import Testing
import VigilScrape

@Suite struct ScrapeOffsetTests {
    @Test(arguments: [UInt64(0), 1, 7_000_000_000, 14_999_999_999, 15_000_000_000, 1_732_900_000_123_456_789])
    func nextScrapeLandsOnTheTargetsPhase(now: UInt64) {
        let interval: UInt64 = 15_000_000_000
        let offset = ScrapeOffset(targetHash: 0xdead_beef_1234, seed: 42, intervalNanoseconds: interval)
        let delay = offset.delay(fromEpochNanoseconds: now, intervalNanoseconds: interval)
        #expect(delay < interval)
        #expect((now + delay) % interval == offset.nanoseconds)
    }

    @Test func differentTargetsSpreadOverTheInterval() {
        let interval: UInt64 = 60_000_000_000
        let offsets = Set(
            (0..<100).map {
                ScrapeOffset(targetHash: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, seed: 7, intervalNanoseconds: interval)
                    .nanoseconds
            })
        #expect(offsets.count > 90)
    }
}
