import Testing
import VigilServer
import VigilUI

/// The dashboard's time-range parameters: every form a user or the zoom script writes, and each mistake
/// named by its parameter.
@Suite struct DashboardTimeRangeTests {
    static let now: Int64 = 1_796_000_000_000

    static func parse(start: String? = nil, end: String? = nil, range: String? = nil, step: String? = nil) throws
        -> TimeRange
    {
        try DashboardRoutes.timeRange(start: start, end: end, range: range, step: step, now: now)
    }

    @Test func defaultsToTheLastHour() throws {
        let range = try Self.parse()
        #expect(range.start == Self.now - 3_600_000 && range.end == Self.now)
        #expect(range.step == 15_000 && !range.stepGiven)
        #expect(range.spec == .lastDuration(milliseconds: 3_600_000))
    }

    @Test func rangeBeforeAnEndAndExplicitStartEnd() throws {
        let before = try Self.parse(end: "2026-11-30T00:00:00Z", range: "6h", step: "1m")
        #expect(before.end == 1_795_996_800_000)
        #expect(before.spec == .durationBefore(milliseconds: 6 * 3_600_000, end: 1_795_996_800_000))
        #expect(before.duration == 6 * 3_600_000)
        #expect(before.step == 60_000 && before.stepGiven)
        let zoomed = try Self.parse(start: "1795999000.5", end: "1796000000", step: "2.5")
        #expect(zoomed.start == 1_795_999_000_500 && zoomed.end == Self.now)
        #expect(zoomed.step == 2500)
        #expect(zoomed.spec == .absolute)
    }

    @Test(
        arguments: [
            (nil, nil, "1x", nil, "range"), (nil, nil, "-5m", nil, "range"), (nil, nil, "0", nil, "range"),
            ("yesterday", "1796000000", nil, nil, "start"), ("1796000000", "1795000000", nil, nil, "end"),
            ("1796000000", nil, nil, nil, "end"), ("1795000000", nil, "1h", nil, "start"),
            (nil, nil, "60d", nil, "range"), (nil, nil, "7d", "1s", "step"), (nil, nil, nil, "fast", "step"),
        ] as [(String?, String?, String?, String?, String)])
    func badParametersAreNamed(start: String?, end: String?, range: String?, step: String?, parameter: String) {
        #expect {
            try Self.parse(start: start, end: end, range: range, step: step)
        } throws: { error in
            "\(error)".contains("invalid parameter \"\(parameter)\"")
        }
    }
}
