import Testing

@testable import VigilRules

@Suite struct GoFormatTests {
    @Test(arguments: [
        (1.0, "1E+00"), (0.0, "0E+00"), (-2.5, "-2.5E+00"), (3.0000000000000004, "3.0000000000000004E+00"),
        (1e-5, "1E-05"), (123456789.0, "1.23456789E+08"), (1.5e300, "1.5E+300"), (Double.nan, "NaN"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (0.1, "1E-01"), (100.0, "1E+02"),
    ])
    func exponent(value: Double, text: String) {
        #expect(GoFormat.exponent(value) == text)
    }

    @Test(arguments: [
        (Int64(0), "0s"), (500, "500ms"), (1000, "1s"), (1500, "1.5s"), (60_000, "1m0s"), (90_000, "1m30s"),
        (3_600_000, "1h0m0s"), (86_400_000, "24h0m0s"), (-60_000, "-1m0s"),
    ])
    func duration(milliseconds: Int64, text: String) {
        #expect(GoFormat.duration(milliseconds: milliseconds) == text)
    }

    @Test(arguments: [
        (".", "rules.yml", "rules.yml"), ("a/b", "../c.yml", "a/c.yml"), ("/x", "/abs.yml", "/abs.yml"),
        ("/x/./y", "z.yml", "/x/y/z.yml"),
    ])
    func join(directory: String, file: String, joined: String) {
        #expect(GoFormat.join(directory, file) == joined)
    }

    @Test func globMatching() {
        #expect(FileGlob.match(Array("*.yml"), Array("a.yml")))
        #expect(!FileGlob.match(Array("*.yml"), Array("a.yaml")))
        #expect(FileGlob.match(Array("r[0-9]?.yml"), Array("r1x.yml")))
        #expect(!FileGlob.match(Array("r[^0-9].yml"), Array("r1.yml")))
    }

    @Test(arguments: [
        ("2024-01-01T00:00:00Z", Int64(1_704_067_200_000)), ("1609459200", 1_609_459_200_000),
        ("2024-01-01T01:00:00.5+01:00", 1_704_067_200_500), ("1970-01-01T00:00:00Z", 0),
    ])
    func startTimestamp(text: String, milliseconds: Int64) {
        #expect(StartTimestamp.milliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "2024-13-01T00:00:00Z", "2024-01-01", "2024-01-01T00:00:00", "soon"])
    func badStartTimestamp(text: String) {
        #expect(StartTimestamp.milliseconds(text) == nil)
    }
}
