import Logging
import VigilEncoding
import VigilExposition
import VigilModel
import VigilStorage

/// remote_write throughput, for `vigil bench`: the sender's encode (batch → protobuf → snappy), the
/// receiver's decode alone, and the receiver's whole path (snappy, decode, label checks, append and commit
/// into a ``MemoryStorage``).
public enum RemoteWriteBenchmark {
    public struct Result: Sendable {
        /// Samples in one request (`max_samples_per_send` of the sender).
        public var samplesPerRequest: Int
        /// Compressed request bytes per sample.
        public var bytesPerSample: Double
        /// Sender: grouping, protobuf encoding and snappy compression.
        public var encodeSamplesPerSecond: Double
        /// Receiver: protobuf decoding only (decompressed input, reused decoder).
        public var decodeSamplesPerSecond: Double
        /// Receiver: the whole request path into an in-memory storage.
        public var receiveSamplesPerSecond: Double
    }

    /// Runs each measurement over `requests` requests of `series` DCGM-like series × `samplesPerSeries`
    /// samples (timestamps 15 s apart, increasing from request to request).
    public static func run(series: Int = 1000, samplesPerSeries: Int = 2, requests: Int = 100) -> Result {
        let labelSets = (0..<series).map { index in
            Labels([
                Label(
                    "__name__", ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"][index % 3]),
                Label("gpu", String(index % 8)), Label("UUID", "GPU-\(index / 8)-\(index % 8)-0000-aaaa"),
                Label("Hostname", "node-\(index / 8)"), Label("modelName", "NVIDIA H100 80GB HBM3"),
                Label("job", "dcgm"), Label("instance", "node-\(index / 8):9400"),
            ])
        }
        func batch(_ request: Int) -> [RemoteWriteSample] {
            var samples: [RemoteWriteSample] = []
            samples.reserveCapacity(series * samplesPerSeries)
            for step in 0..<samplesPerSeries {
                let timestamp = 1_700_000_000_000 + Int64(request * samplesPerSeries + step) * 15_000
                for (index, labels) in labelSets.enumerated() {
                    samples.append(
                        RemoteWriteSample(labels: labels, timestamp: timestamp, value: Double((index * 7 + step) % 100))
                    )
                }
            }
            return samples
        }
        let batches = (0..<requests).map(batch)
        let samplesPerRequest = series * samplesPerSeries
        let clock = ContinuousClock()

        var plain: [UInt8] = []
        var compressed: [UInt8] = []
        var compressor = SnappyCompressor()
        var bodies: [[UInt8]] = []
        var plainBodies: [[UInt8]] = []
        let encodeTime = clock.measure {
            for batch in batches {
                plain.removeAll(keepingCapacity: true)
                compressed.removeAll(keepingCapacity: true)
                RemoteWriteBatch.encode(batch, into: &plain)
                compressor.compress(plain, appendingTo: &compressed)
                bodies.append(compressed)
                plainBodies.append(plain)
            }
        }

        var decoder = RemoteWriteDecoder()
        let decodeTime = clock.measure {
            for body in plainBodies { try? decoder.decode(body) }
        }

        let storage = MemoryStorage()
        let receiver = RemoteWriteReceiver(
            appendable: storage, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            nowMilliseconds: { .max / 2 })
        var received = 0
        let receiveTime = clock.measure {
            for body in bodies {
                if let summary = try? receiver.receive(
                    body: body, contentType: RemoteWriteReceiver.protobufContentType, contentEncoding: "snappy")
                {
                    received += summary.appended
                }
            }
        }
        let total = Double(samplesPerRequest * requests)
        return Result(
            samplesPerRequest: samplesPerRequest,
            bytesPerSample: Double(bodies.reduce(0) { $0 + $1.count }) / total,
            encodeSamplesPerSecond: total / seconds(encodeTime),
            decodeSamplesPerSecond: total / seconds(decodeTime),
            receiveSamplesPerSecond: received == Int(total) ? total / seconds(receiveTime) : 0)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let components = duration.components
        return max(Double(components.seconds) + Double(components.attoseconds) * 1e-18, 1e-9)
    }
}
