import VigilCollectors
import VigilExposition
import VigilGPU
import VigilModel

/// One GPU backend read plus dcgm-exporter mapping and text encoding, repeated.
public enum GPUCollectionBenchmark {
    public struct Result: Sendable {
        public var iterations: Int
        public var gpus: Int
        public var samples: Int
        public var meanMicroseconds: Double
        public var p99Microseconds: Double
        public var cpuMicrosecondsPerCollection: Double
        /// The backend's `read()` alone, mean per GPU.
        public var readMicrosecondsPerGPU: Double

        public var microsecondsPerGPU: Double { meanMicroseconds / Double(max(gpus, 1)) }
    }

    public static func run(backend: any GPUBackend, iterations: Int) throws(GPUError) -> Result {
        let format = DCGMExporterFormat(hostname: "bench")
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 * 1024)
        var gpus = 0
        var samples = 0
        for _ in 0..<10 { _ = try backend.read() }
        var times: [Double] = []
        times.reserveCapacity(iterations)
        var readTotal = Duration.zero
        let clock = ContinuousClock()
        let cpuBefore = ProcessUsage.cpuSeconds() * 1e6
        for _ in 0..<iterations {
            var failure: GPUError?
            let elapsed = clock.measure {
                do throws(GPUError) {
                    let start = clock.now
                    let readings = try backend.read()
                    readTotal += clock.now - start
                    let metrics = format.metrics(for: readings)
                    buffer.removeAll(keepingCapacity: true)
                    ExpositionEncoder.encode(metrics.families, format: .text, into: &buffer)
                    gpus = readings.count
                    samples = metrics.sampleCount
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            times.append(elapsed.seconds * 1e6)
        }
        let cpu = ProcessUsage.cpuSeconds() * 1e6 - cpuBefore
        times.sort()
        return Result(
            iterations: iterations, gpus: gpus, samples: samples,
            meanMicroseconds: times.reduce(0, +) / Double(max(iterations, 1)),
            p99Microseconds: times[min(times.count - 1, times.count * 99 / 100)],
            cpuMicrosecondsPerCollection: cpu / Double(max(iterations, 1)),
            readMicrosecondsPerGPU: readTotal.seconds * 1e6 / Double(max(iterations, 1)) / Double(max(gpus, 1)))
    }
}
