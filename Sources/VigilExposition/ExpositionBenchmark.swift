/// Parser throughput, for `vigil bench`.
public enum ExpositionBenchmark {
    /// Parses `input` over and over for about `seconds` and reports the throughput.
    ///
    /// One parser is reused across passes (``ExpositionParser/reset(bytes:format:)``), as a scraper reuses
    /// one per target, so interned names and values stay warm. `samples` is the number of samples in one
    /// pass over `input`. An input that does not parse measures nothing: every figure is 0.
    public static func run(
        input: [UInt8], format: ExpositionFormat, seconds: Double
    ) -> (bytesPerSecond: Double, samplesPerSecond: Double, samples: Int) {
        var parser = ExpositionParser(bytes: input, format: format)
        guard let samples = try? pass(&parser, input, format) else { return (0, 0, 0) }
        let clock = ContinuousClock()
        let budget = Duration.nanoseconds(Int64(max(seconds, 0) * 1e9))
        let start = clock.now
        var passes = 0
        var elapsed = Duration.zero
        repeat {
            _ = try? pass(&parser, input, format)
            passes += 1
            elapsed = clock.now - start
        } while elapsed < budget
        let components = elapsed.components
        let elapsedSeconds = Double(components.seconds) + Double(components.attoseconds) * 1e-18
        guard elapsedSeconds > 0 else { return (0, 0, samples) }
        return (
            bytesPerSecond: Double(input.count * passes) / elapsedSeconds,
            samplesPerSecond: Double(samples * passes) / elapsedSeconds,
            samples: samples
        )
    }

    /// One full parse; returns the sample count.
    private static func pass(
        _ parser: inout ExpositionParser, _ input: [UInt8], _ format: ExpositionFormat
    ) throws(ExpositionError) -> Int {
        parser.reset(bytes: input, format: format)
        var samples = 0
        while let entry = try parser.next() {
            if case .sample = entry { samples += 1 }
        }
        return samples
    }
}
