import Testing
import VigilUI

@Suite struct TimeAxisTests {
    /// 2025-03-14T12:00:00Z.
    static let noon: Int64 = 1_741_953_600_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    @Test func oneHourGetsTenMinuteTicks() {
        let axis = TimeAxis(
            start: Self.noon + 3 * Self.minute, end: Self.noon + Self.hour + 3 * Self.minute, targetTicks: 6)
        #expect(axis.step == 10 * Self.minute)
        #expect(axis.ticks.map(\.label) == ["12:10", "12:20", "12:30", "12:40", "12:50", "13:00"])
    }

    @Test func shortRangesShowSeconds() {
        let axis = TimeAxis(start: Self.noon, end: Self.noon + 60_000, targetTicks: 4)
        #expect(axis.step == 15_000)
        #expect(axis.ticks.map(\.label) == ["12:00:00", "12:00:15", "12:00:30", "12:00:45", "12:01:00"])
    }

    @Test func midnightShowsTheDate() {
        let axis = TimeAxis(start: Self.noon, end: Self.noon + 24 * Self.hour, targetTicks: 4)
        #expect(axis.step == 6 * Self.hour)
        #expect(axis.ticks.map(\.label) == ["12:00", "18:00", "Mar 15", "06:00", "12:00"])
    }

    @Test func weeksGetDayTicks() {
        let axis = TimeAxis(start: Self.noon, end: Self.noon + 7 * 24 * Self.hour, targetTicks: 8)
        #expect(axis.step == 24 * Self.hour)
        #expect(axis.ticks.first?.label == "Mar 15")
        #expect(axis.ticks.count == 7)
    }

    @Test(arguments: [1, 3, 6, 12])
    func neverMoreTicksThanAsked(target: Int) {
        for span in [Int64(5_000), 90 * Self.minute, 30 * 24 * Self.hour, 3 * 365 * 24 * Self.hour] {
            let axis = TimeAxis(start: Self.noon, end: Self.noon + span, targetTicks: target)
            #expect(axis.ticks.count <= target + 1, "span \(span) target \(target)")
            #expect(axis.ticks.allSatisfy { $0.timestamp % axis.step == 0 || axis.step % TimeAxis.steps[17] == 0 })
        }
    }
}
