import Testing
import VigilModel

/// The one calendar conversion behind every timestamp Vigil writes as text.
@Suite struct CivilTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_700_000_000_500, "2023-11-14T22:13:20.5Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ])
    func rfc3339(_ milliseconds: Int64, _ text: String) {
        #expect(CivilTime(millisecondsSinceEpoch: milliseconds).rfc3339 == text)
    }

    @Test func daysAndCivilDatesRoundTrip() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let time = CivilTime(secondsSinceEpoch: days * 86_400)
            #expect(CivilTime.days(year: time.year, month: time.month, day: time.day) == days)
            #expect(time.day <= CivilTime.daysIn(month: time.month, year: time.year))
        }
        #expect(CivilTime.daysIn(month: 2, year: 1900) == 28)
        #expect(CivilTime.daysIn(month: 2, year: 2000) == 29)
    }

    @Test func fractionsAndLayouts() {
        let time = CivilTime(secondsSinceEpoch: 1_700_000_000, nanoseconds: 341_705_790)
        #expect(time.rfc3339 == "2023-11-14T22:13:20.34170579Z")
        #expect(time.rfc3339(fractionDigits: 3) == "2023-11-14T22:13:20.341Z")
        #expect(time.dateAndTime(separator: " ") == "2023-11-14 22:13:20")
        #expect(CivilTime(secondsSinceEpoch: 10, nanoseconds: -1).rfc3339 == "1970-01-01T00:00:09.999999999Z")
    }
}
