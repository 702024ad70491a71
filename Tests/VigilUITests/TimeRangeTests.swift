import Testing
import VigilUI

@Suite struct TimeRangeTests {
    static let now: Int64 = 1_796_000_000_000

    static let steps: [(duration: Int64, step: Int64)] = [
        (300_000, 1000), (3_600_000, 15_000), (6 * 3_600_000, 120_000), (86_400_000, 300_000),
        (7 * 86_400_000, 3_600_000), (365 * 86_400_000, 2 * 86_400_000), (1, 1000),
    ]

    @Test(arguments: steps)
    func defaultStepIsReadableAndKeepsPointsBounded(duration: Int64, step: Int64) {
        #expect(TimeRange.defaultStep(for: duration) == step)
        #expect(duration / step <= 300)
    }

    @Test func linksAskForTheRangeTheWayItWasGiven() {
        let last = TimeRange.last(3_600_000, now: Self.now)
        #expect(last.queryItems.map { "\($0.name)=\($0.value)" } == ["range=1h"])
        var before = TimeRange(
            start: Self.now - 600_000, end: Self.now, step: 5000, stepGiven: true,
            spec: .durationBefore(milliseconds: 600_000, end: Self.now))
        #expect(before.queryItems.map { "\($0.name)=\($0.value)" } == ["range=10m", "end=1796000000", "step=5s"])
        before.spec = .absolute
        before.start = Self.now - 1500
        #expect(
            before.queryItems.map { "\($0.name)=\($0.value)" } == ["start=1795999998.5", "end=1796000000", "step=5s"])
        #expect(TimeRange.seconds(-1500) == "-1.5")
        #expect(TimeRange.seconds(-500) == "-0.5")
        #expect(
            TimeRange.link("/ui/explore", [("query", "up{job=\"a b\"}"), ("range", "1h")])
                == "/ui/explore?query=up%7Bjob%3D%22a%20b%22%7D&range=1h")
    }

    @Test func pickerKeepsTheQueryAndMarksThePreset() {
        let picker = TimeRange.last(3_600_000, now: Self.now).pickerHTML(
            path: "/ui/explore", keeping: [("query", "<script>alert(1)</script>")])
        #expect(picker.contains("range=1h\" aria-current=\"true\">1h</a>"))
        #expect(!picker.contains("<script>"))
        #expect(picker.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        #expect(picker.contains("query=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;range=5m"))
        #expect(picker.contains("last 1h, step 15s"))
    }

    @Test func summaryOfAnAbsoluteRange() {
        let range = TimeRange(start: 1_796_000_000_000, end: 1_796_003_600_000, step: 15_000)
        #expect(range.summary == "2026-11-30 00:53:20 to 01:53:20 UTC, step 15s")
    }
}
