import Testing
import VigilModel
import VigilUI

@Suite struct DownsamplerTests {
    @Test func fewPointsAreKept() {
        let samples = (0..<10).map { Sample(Int64($0) * 1000, Double($0)) }
        let result = Downsampler.minMax(samples, start: 0, end: 10_000, columns: 10)
        #expect(result.samples == samples)
        #expect(!result.downsampled)
    }

    @Test func keepsMinimumAndMaximumPerColumnInTimeOrder() {
        // 100 points over 4 columns, with one spike up and one down.
        var samples = (0..<100).map { Sample(Int64($0), 10) }
        samples[30] = Sample(30, 99)
        samples[20] = Sample(20, -5)
        let result = Downsampler.minMax(samples, start: 0, end: 100, columns: 4)
        #expect(result.downsampled)
        #expect(result.samples.count <= 8)
        #expect(result.samples.contains(Sample(30, 99)))
        #expect(result.samples.contains(Sample(20, -5)))
        #expect(result.samples.map(\.timestamp) == result.samples.map(\.timestamp).sorted())
    }

    @Test func breaksSurvive() {
        var samples = (0..<1000).map { Sample(Int64($0), Double($0 % 7)) }
        samples[500] = Sample(500, .nan)
        let result = Downsampler.minMax(samples, start: 0, end: 1000, columns: 50)
        #expect(result.downsampled)
        #expect(result.samples.filter { $0.value.isNaN }.count == 1)
        #expect(result.samples.count <= 2 * 51 + 1)
    }

    @Test func outputIsBoundedByTwicePixelColumns() {
        let samples = (0..<100_000).map { Sample(Int64($0), Double(($0 * 7919) % 1000)) }
        let result = Downsampler.minMax(samples, start: 0, end: 100_000, columns: 700)
        #expect(result.samples.count <= 1400)
        #expect(result.samples.map(\.value).max() == 999)
        #expect(result.samples.map(\.value).min() == 0)
    }
}
