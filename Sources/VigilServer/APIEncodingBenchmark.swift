import VigilModel
import VigilPromQL

/// How fast the API writes a large range-query answer as JSON (`vigil bench api-json`): a matrix of GPU-like
/// series (dcgm-exporter labels, temperatures, power, utilisation) encoded into Prometheus's envelope.
public enum APIEncodingBenchmark {
    public struct Report: Sendable, CustomStringConvertible {
        public var series: Int
        public var pointsPerSeries: Int
        /// Size of one encoded answer.
        public var bytes: Int
        /// The fastest of the runs, in seconds.
        public var seconds: Double

        public var samplesPerSecond: Double { Double(series * pointsPerSeries) / seconds }
        public var megabytesPerSecond: Double { Double(bytes) / seconds / 1_000_000 }

        public var description: String {
            let samples = series * pointsPerSeries
            return "api json: \(series) series × \(pointsPerSeries) points = \(samples) samples, "
                + "\(bytes / 1024) KiB in \(Self.format(seconds * 1000)) ms: "
                + "\(Self.format(samplesPerSecond / 1_000_000)) M samples/s, \(Self.format(megabytesPerSecond)) MB/s"
        }

        private static func format(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return "\(rounded)"
        }
    }

    /// Encodes the same matrix `iterations` times and reports the fastest run.
    public static func run(series: Int = 1000, pointsPerSeries: Int = 1000, iterations: Int = 5) -> Report {
        let matrix = makeMatrix(series: series, points: pointsPerSeries)
        var best = Double.infinity
        var bytes = 0
        let clock = ContinuousClock()
        for _ in 0..<max(1, iterations) {
            let started = clock.now
            let encoded = encode(matrix)
            let elapsed = clock.now - started
            bytes = encoded.count
            let seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds)
        }
        return Report(series: series, pointsPerSeries: pointsPerSeries, bytes: bytes, seconds: best)
    }

    /// The envelope with the matrix as `/api/v1/query_range` writes it.
    static func encode(_ matrix: [MatrixSeries]) -> [UInt8] {
        var json = JSONWriter(capacity: matrix.count * (matrix.first?.samples.count ?? 0) * 24 + 1024)
        json.raw(#"{"status":"success","data":"#)
        QueryResultEncoder.writeData(.matrix(matrix), to: &json)
        json.raw("}")
        return json.bytes
    }

    /// GPU-like series: every fourth a small integer (temperatures), the rest fractional readings.
    static func makeMatrix(series: Int, points: Int) -> [MatrixSeries] {
        let names = [
            "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_UTIL",
            "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
        ]
        let start: Int64 = 1_700_000_000_000
        return (0..<series).map { index in
            let labels: Labels = [
                "__name__": names[index % names.count], "gpu": "\(index % 8)",
                "UUID": "GPU-\(String(index, radix: 16))-5f2a-4c1e-9b7d-0c3e8f1a2b4c",
                "Hostname": "node-\(index / 8)", "instance": "node-\(index / 8):9471", "job": "vigil-agent",
                "modelName": "NVIDIA H100 80GB HBM3", "pci_bus_id": "00000000:1\(index % 8):00.0",
            ]
            let samples = (0..<points).map { step -> Sample in
                let phase = Double(step + index) * 0.01
                let value: Double =
                    switch index % names.count {
                    case 0: (55 + 20 * (phase.truncatingRemainder(dividingBy: 1))).rounded()
                    case 1: 350.25 + Double((step * 37 + index) % 4000) / 8
                    case 2: Double((step * 13 + index) % 101)
                    default: Double((step * 7919 + index) % 100_000) / 100_000
                    }
                return Sample(start + Int64(step) * 15_000, value)
            }
            return MatrixSeries(labels: labels, samples: samples)
        }
    }
}
