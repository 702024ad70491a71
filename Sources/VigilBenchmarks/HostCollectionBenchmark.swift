import Logging
import VigilCollectors
import VigilExposition
import VigilModel

#if canImport(Glibc)
    import Glibc
#endif

/// One full host collection plus text encoding, repeated: wall time per run and CPU time overall.
public enum HostCollectionBenchmark {
    public struct Result: Sendable {
        public var iterations: Int
        public var samples: Int
        public var encodedBytes: Int
        public var meanMicroseconds: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        /// User + system CPU per collection, from getrusage.
        public var cpuMicrosecondsPerCollection: Double

        /// Percent of one core used when collecting once every `interval` seconds.
        public func corePercent(atInterval interval: Double) -> Double {
            cpuMicrosecondsPerCollection / 1e6 / interval * 100
        }
    }

    public static func run(iterations: Int, paths: HostPaths = HostPaths()) -> Result {
        let registry = CollectorRegistry(
            collectors: HostCollectors.make(enabled: Set(HostCollectors.allNames)),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 * 1024)
        var samples = 0
        // Warm-up: page in the code and the kernel's dentry cache.
        for _ in 0..<10 {
            buffer.removeAll(keepingCapacity: true)
            ExpositionEncoder.encode(registry.collect(paths: paths).families, format: .text, into: &buffer)
        }
        var times: [Double] = []
        times.reserveCapacity(iterations)
        let clock = ContinuousClock()
        let cpuBefore = ProcessUsage.cpuSeconds() * 1e6
        for _ in 0..<iterations {
            let elapsed = clock.measure {
                buffer.removeAll(keepingCapacity: true)
                let metrics = registry.collect(paths: paths)
                samples = metrics.sampleCount
                ExpositionEncoder.encode(metrics.families, format: .text, into: &buffer)
            }
            times.append(elapsed.seconds * 1e6)
        }
        let cpu = ProcessUsage.cpuSeconds() * 1e6 - cpuBefore
        times.sort()
        return Result(
            iterations: iterations, samples: samples, encodedBytes: buffer.count,
            meanMicroseconds: times.reduce(0, +) / Double(max(iterations, 1)),
            p50Microseconds: times[times.count / 2],
            p99Microseconds: times[min(times.count - 1, times.count * 99 / 100)],
            cpuMicrosecondsPerCollection: cpu / Double(max(iterations, 1)))
    }
}
