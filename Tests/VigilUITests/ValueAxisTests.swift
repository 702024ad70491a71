import Testing
import VigilUI

@Suite struct ValueAxisTests {
    @Test func percentAxisFromZeroToHundred() {
        let axis = ValueAxis(minimum: 0, maximum: 100, unit: .percent, targetTicks: 5)
        #expect(axis.ticks == [0, 20, 40, 60, 80, 100])
        #expect(axis.labels == ["0%", "20%", "40%", "60%", "80%", "100%"])
    }

    @Test func rangeIsWidenedToNiceBounds() {
        let axis = ValueAxis(minimum: 3.2, maximum: 47.9, unit: .none, targetTicks: 5)
        #expect(axis.lower == 0)
        #expect(axis.upper == 50)
        #expect(axis.labels == ["0", "10", "20", "30", "40", "50"])
    }

    @Test func bytesTicksAreWholeBinaryUnits() {
        let gib = 1024.0 * 1024 * 1024
        let axis = ValueAxis(minimum: 0, maximum: 3 * gib, unit: .bytes, targetTicks: 6)
        #expect(axis.labels == ["0.0 GiB", "0.5 GiB", "1.0 GiB", "1.5 GiB", "2.0 GiB", "2.5 GiB", "3.0 GiB"])
        #expect(axis.step == gib / 2)
    }

    @Test func smallStepsKeepTheirDecimals() {
        let axis = ValueAxis(minimum: 0, maximum: 1, unit: .none, targetTicks: 4)
        #expect(axis.labels == ["0.00", "0.25", "0.50", "0.75", "1.00"])
        let celsius = ValueAxis(minimum: 40.1, maximum: 41.3, unit: .celsius, targetTicks: 4)
        #expect(celsius.labels == ["40.0 °C", "40.5 °C", "41.0 °C", "41.5 °C"])
    }

    @Test func stepOfTwoAndAHalfShowsTwoDecimals() {
        let axis = ValueAxis(minimum: 0, maximum: 1, unit: .percent, targetTicks: 4)
        #expect(axis.labels == ["0.00%", "0.25%", "0.50%", "0.75%", "1.00%"])
    }

    @Test func negativeValuesAndPowersOfTen() {
        let axis = ValueAxis(minimum: -1000, maximum: 1000, unit: .watts, targetTicks: 4)
        #expect(axis.labels == ["-1.0 kW", "-0.5 kW", "0.0 kW", "0.5 kW", "1.0 kW"])
    }

    @Test(arguments: [(0.0, 0.0, 0.0, 1.0), (5.0, 5.0, 4.5, 5.5), (Double.nan, 3.0, 0.0, 1.0), (4.0, 2.0, 0.0, 1.0)])
    func degenerateRangesStillGiveAnAxis(minimum: Double, maximum: Double, lower: Double, upper: Double) {
        let axis = ValueAxis(minimum: minimum, maximum: maximum, unit: .none)
        #expect(axis.lower <= lower && axis.lower > lower - 0.5)
        #expect(axis.upper >= upper && axis.upper < upper + 0.5)
        #expect(axis.ticks.count >= 2)
    }
}
