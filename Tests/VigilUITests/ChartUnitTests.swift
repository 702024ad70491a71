import Testing
import VigilUI

@Suite struct ChartUnitTests {
    static let gib: Double = 1_073_741_824
    static let cases: [(ChartUnit, Double, String)] = [
        (.bytes, 0, "0 B"),
        (.bytes, 512, "512 B"),
        (.bytes, 1536, "1.5 KiB"),
        (.bytes, 80 * gib, "80 GiB"),
        (.bytes, 1_048_473.6, "1 MiB"),
        (.bytes, -2048, "-2 KiB"),
        (.bytesPerSecond, 3_145_728, "3 MiB/s"),
        (.percent, 87.25, "87.3%"),
        (.ratio, 0.5, "50%"),
        (.ratio, 0.0125, "1.25%"),
        (.watts, 350, "350 W"),
        (.watts, 12_345, "12.3 kW"),
        (.watts, 0.25, "250 mW"),
        (.celsius, 71, "71 °C"),
        (.celsius, -5.5, "-5.5 °C"),
        (.perSecond, 3400, "3.4k/s"),
        (.perSecond, 0.5, "500m/s"),
        (.none, 1_234_567, "1.23M"),
        (.none, 999.96, "1k"),
        (.none, 0.00123, "1.23m"),
        (.none, 42, "42"),
        (.seconds, 0.25, "250 ms"),
        (.seconds, 12, "12 s"),
        (.seconds, 300, "5 min"),
        (.seconds, 7200, "2 h"),
        (.seconds, 259_200, "3 d"),
        (.none, .nan, "NaN"),
        (.bytes, .infinity, "+Inf"),
        (.watts, -.infinity, "-Inf"),
    ]

    @Test(arguments: cases)
    func formatsOneValue(unit: ChartUnit, value: Double, expected: String) {
        #expect(unit.format(value) == expected)
    }

    @Test func bytesScaleByPowersOf1024() {
        let scale = ChartUnit.bytes.scale(forMagnitude: 1.5e9)
        #expect(scale.divisor == 1024 * 1024 * 1024)
        #expect(scale.suffix == " GiB")
    }
}
