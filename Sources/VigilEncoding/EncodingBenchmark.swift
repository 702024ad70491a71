/// Throughput and density of the chunk and compression codecs, for `vigil bench` and `docs/benchmarks.md`.
///
/// Every figure comes from data generated here, deterministically from a seed, shaped like the GPU-cluster
/// data set of the TSDB benchmark (dcgm-exporter metrics scraped every 15 s): see ``SeriesKind``.
public enum EncodingBenchmark {
    /// The shape of a generated series. Gauges follow a node that is busy or idle in 30-minute slots, as in
    /// the benchmark harness's model.
    public enum SeriesKind: String, CaseIterable, Sendable {
        /// `DCGM_FI_DEV_POWER_USAGE`: watts with 3 decimals, noisy (the hardest gauge).
        case gpuPower
        /// `DCGM_FI_DEV_GPU_TEMP`: whole degrees drifting toward a load-dependent target.
        case gpuTemperature
        /// `DCGM_FI_DEV_GPU_UTIL`: whole percent around a per-slot level, with stalls.
        case gpuUtilization
        /// `DCGM_FI_DEV_SM_CLOCK`: MHz in 15 MHz steps while busy, idle clock otherwise.
        case smClock
        /// `DCGM_FI_DEV_FB_USED`: MiB, constant within a slot.
        case framebufferUsed
        /// `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`: a counter in mJ growing by ~10⁶ to 10⁷ per sample.
        case energyCounter
        /// `DCGM_FI_DEV_PCIE_TX_THROUGHPUT`: a counter in KB with large random increments.
        case pcieCounter
        /// `DCGM_FI_DEV_MEM_CLOCK` and the many DCGM series that never change (0 or a fixed value).
        case constant
    }

    /// The 20 dcgm-exporter default counters of the benchmark data set, each mapped to the kind it resembles.
    public static let dcgmMix: [SeriesKind] = [
        .smClock, .constant, .gpuTemperature, .gpuTemperature, .gpuPower, .energyCounter, .pcieCounter,
        .pcieCounter, .constant, .gpuUtilization, .gpuUtilization, .constant, .constant, .constant,
        .framebufferUsed, .framebufferUsed, .pcieCounter, .constant, .constant, .constant,
    ]

    /// What one chunk-encoding run measured.
    public struct ChunkFigures: Sendable {
        public var samples: Int
        /// Chunk bytes (headers included) per sample.
        public var bytesPerSample: Double
        public var encodeSamplesPerSecond: Double
        public var decodeSamplesPerSecond: Double
        /// Sum of the decoded values, so the decoding cannot be optimised away.
        public var checksum: Double
    }

    /// What one snappy run measured.
    public struct SnappyFigures: Sendable {
        public var inputBytes: Int
        public var compressedBytes: Int
        public var compressMegabytesPerSecond: Double
        public var decompressMegabytesPerSecond: Double
    }

    /// Generates `count` samples of a series: timestamps every `intervalMs`, each moved by up to
    /// ±`jitterMs` as real scrapes are, and values of the given kind.
    public static func generateSeries(
        _ kind: SeriesKind, count: Int, seed: UInt64 = 1, intervalMs: Int64 = 15_000, jitterMs: Int64 = 0
    ) -> (timestamps: [Int64], values: [Double]) {
        var random = SplitMix64(seed: seed &+ UInt64(kind.hashSeed))
        var timestamps: [Int64] = []
        var values: [Double] = []
        timestamps.reserveCapacity(count)
        values.reserveCapacity(count)
        let start: Int64 = 1_700_000_000_000
        let slotSamples = 120
        var busy = true
        var level = 90.0
        var footprint = 60_000.0
        var temperature = 40.0
        var counter = 1e12 * random.unit()
        for index in 0..<count {
            if index % slotSamples == 0 {
                busy = random.unit() < 0.8
                level = 82 + 16 * random.unit()
                footprint = roundToWhole(40_000 + 38_000 * random.unit())
            }
            let jitter = jitterMs > 0 ? Int64(random.next() % UInt64(2 * jitterMs + 1)) - jitterMs : 0
            timestamps.append(start + Int64(index) * intervalMs + jitter)
            let r1 = random.unit()
            let r2 = random.unit()
            let utilization =
                busy ? min(100, max(0, roundToWhole(level + 8 * (r1 - 0.5) + 4 * (r2 - 0.5)))) : 0
            let power = busy ? 120 + 5.6 * utilization + 15 * (r2 - 0.5) : 68 + 4 * r1
            let value: Double
            switch kind {
            case .gpuPower:
                value = roundToWhole(power * 1000) / 1000
            case .gpuTemperature:
                let target = busy ? 58 + 0.2 * level : 33
                temperature += (target - temperature) / 16
                value = roundToWhole(temperature + 1.2 * (r1 - 0.5))
            case .gpuUtilization:
                value = busy && random.unit() < 0.03 ? roundToWhole(20 + 20 * r1) : utilization
            case .smClock:
                value = busy ? min(1980, 1755 + 15 * Double(Int(16 * r1))) : 345
            case .framebufferUsed:
                value = busy ? footprint : 0
            case .energyCounter:
                counter += roundToWhole(power * 15 * 1000)
                value = counter
            case .pcieCounter:
                counter += busy ? roundToWhole(1.5e7 + 4e7 * r1) : roundToWhole(2e3 * r2)
                value = counter
            case .constant:
                value = 2619
            }
            values.append(value)
        }
        return (timestamps, values)
    }

    /// A chunk encoding the benchmark measures.
    public enum ChunkEncoding: String, CaseIterable, Sendable {
        /// Prometheus's XOR chunk (the head's), 120 samples per chunk.
        case xor
        /// The packed chunk of blocks (``PackedChunkEncoder``), 1,440 samples (6 h at 15 s) per chunk.
        case packed

        public var defaultSamplesPerChunk: Int { self == .xor ? 120 : 1440 }
    }

    /// Encodes `samples` samples of `kind` into chunks of `samplesPerChunk` over and over for about `seconds`,
    /// then decodes them the same way, reusing one decoder as the TSDB does.
    public static func chunks(
        _ kind: SeriesKind, encoding: ChunkEncoding, samples: Int = 120_000, samplesPerChunk: Int? = nil,
        jitterMs: Int64 = 0, seconds: Double = 1
    ) -> ChunkFigures {
        let series = generateSeries(kind, count: samples, jitterMs: jitterMs)
        let perChunk = samplesPerChunk ?? encoding.defaultSamplesPerChunk
        var chunks: [[UInt8]] = []
        encode(series, encoding: encoding, samplesPerChunk: perChunk) { chunks.append($0) }
        let totalBytes = chunks.reduce(0) { $0 + $1.count }
        let encodeRate = measure(seconds: seconds, itemsPerPass: samples) {
            encode(series, encoding: encoding, samplesPerChunk: perChunk) { _ in }
        }
        var checksum = 0.0
        let decodeRate: Double
        switch encoding {
        case .xor:
            var decoder = XORChunkDecoder()
            decodeRate = measure(seconds: seconds, itemsPerPass: samples) {
                var sum = 0.0
                for chunk in chunks {
                    try? decoder.reset(chunk)
                    while (try? decoder.next()) == true { sum += decoder.value }
                }
                checksum = sum
            }
        case .packed:
            var decoder = PackedChunkDecoder()
            decodeRate = measure(seconds: seconds, itemsPerPass: samples) {
                var sum = 0.0
                for chunk in chunks {
                    try? decoder.reset(chunk)
                    while decoder.next() { sum += decoder.value }
                }
                checksum = sum
            }
        }
        return ChunkFigures(
            samples: samples, bytesPerSample: Double(totalBytes) / Double(max(samples, 1)),
            encodeSamplesPerSecond: encodeRate, decodeSamplesPerSecond: decodeRate, checksum: checksum)
    }

    /// Bytes per sample over the 20-metric DCGM mix (``dcgmMix``), `samplesPerSeries` samples each.
    public static func dcgmMixBytesPerSample(
        encoding: ChunkEncoding = .xor, samplesPerSeries: Int = 5760, samplesPerChunk: Int? = nil,
        jitterMs: Int64 = 0
    ) -> Double {
        var totalBytes = 0
        var totalSamples = 0
        for (position, kind) in dcgmMix.enumerated() {
            let series = generateSeries(kind, count: samplesPerSeries, seed: UInt64(position + 1), jitterMs: jitterMs)
            encode(series, encoding: encoding, samplesPerChunk: samplesPerChunk ?? encoding.defaultSamplesPerChunk) {
                totalBytes += $0.count
            }
            totalSamples += samplesPerSeries
        }
        return Double(totalBytes) / Double(max(totalSamples, 1))
    }

    /// Cuts `series` into chunks of `samplesPerChunk` and hands each chunk's bytes to `body`. A packed run the
    /// encoder declines is written as XOR, as the block writer does.
    private static func encode(
        _ series: (timestamps: [Int64], values: [Double]), encoding: ChunkEncoding, samplesPerChunk: Int,
        _ body: ([UInt8]) -> Void
    ) {
        var encoder = XORChunkEncoder()
        var packed: [UInt8] = []
        var index = 0
        while index < series.timestamps.count {
            let end = min(index + samplesPerChunk, series.timestamps.count)
            if encoding == .packed {
                packed.removeAll(keepingCapacity: true)
                let done = series.timestamps.withUnsafeBufferPointer { times in
                    series.values.withUnsafeBufferPointer { values in
                        PackedChunkEncoder.encode(
                            timestamps: UnsafeBufferPointer(rebasing: times[index..<end]),
                            values: UnsafeBufferPointer(rebasing: values[index..<end]), into: &packed)
                    }
                }
                if done {
                    body(packed)
                    index = end
                    continue
                }
            }
            encoder.reset()
            for sample in index..<end {
                try? encoder.append(timestamp: series.timestamps[sample], value: series.values[sample])
            }
            body(encoder.bytes)
            index = end
        }
    }

    /// Exposition-like text of about `byteCount` bytes: dcgm-exporter lines with repeating names and labels and
    /// varying numbers, the kind of redundancy a remote_write body has.
    public static func generateMetricsText(byteCount: Int, seed: UInt64 = 1) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var text: [UInt8] = []
        text.reserveCapacity(byteCount + 256)
        let names = ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK"]
        var line = 0
        while text.count < byteCount {
            let node = line / 32 % 64
            let gpu = line / 4 % 8
            let name = names[line % names.count]
            let value = roundToWhole(1000 * random.unit() * 400) / 1000
            let entry =
                "\(name){gpu=\"\(gpu)\",UUID=\"GPU-\(String(node &* 2_654_435_761 % 1_000_000_007, radix: 16))\","
                + "Hostname=\"node-\(node)\",modelName=\"NVIDIA H100 80GB HBM3\"} \(value) "
                + "\(1_700_000_000_000 + line / 2048 * 15_000)\n"
            text.append(contentsOf: entry.utf8)
            line += 1
        }
        return text
    }

    /// Uniformly random bytes: the incompressible worst case.
    public static func generateRandomBytes(byteCount: Int, seed: UInt64 = 1) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + 8)
        while bytes.count < byteCount {
            let word = random.next()
            for shift in stride(from: 0, to: 64, by: 8) where bytes.count < byteCount {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return bytes
    }

    /// Compresses and decompresses `input` over and over for about `seconds` each, reusing buffers.
    public static func snappy(_ input: [UInt8], seconds: Double = 1) -> SnappyFigures {
        var compressor = SnappyCompressor()
        var compressed: [UInt8] = []
        compressor.compress(input, appendingTo: &compressed)
        let compressRate = measure(seconds: seconds, itemsPerPass: input.count) {
            compressed.removeAll(keepingCapacity: true)
            compressor.compress(input, appendingTo: &compressed)
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let decompressRate = measure(seconds: seconds, itemsPerPass: input.count) {
            output.removeAll(keepingCapacity: true)
            try? Snappy.decompress(compressed, appendingTo: &output, maxDecodedLength: input.count)
        }
        return SnappyFigures(
            inputBytes: input.count, compressedBytes: compressed.count,
            compressMegabytesPerSecond: compressRate / 1e6, decompressMegabytesPerSecond: decompressRate / 1e6)
    }

    /// CRC32C throughput in MB/s over `input`.
    public static func crc32c(_ input: [UInt8], seconds: Double = 1) -> (megabytesPerSecond: Double, checksum: UInt32) {
        var checksum: UInt32 = 0
        let rate = measure(seconds: seconds, itemsPerPass: input.count) {
            checksum ^= CRC32C.checksum(input)
        }
        return (rate / 1e6, checksum)
    }

    /// Rounds half away from zero without libm (this module links nothing but the standard library); only
    /// for the moderate magnitudes generated here.
    private static func roundToWhole(_ value: Double) -> Double {
        Double(Int64(value < 0 ? value - 0.5 : value + 0.5))
    }

    /// Runs `pass` until `seconds` have elapsed (at least once) and returns items per second.
    private static func measure(seconds: Double, itemsPerPass: Int, _ pass: () -> Void) -> Double {
        let clock = ContinuousClock()
        let budget = Duration.nanoseconds(Int64(max(seconds, 0) * 1e9))
        let start = clock.now
        var passes = 0
        var elapsed = Duration.zero
        repeat {
            pass()
            passes += 1
            elapsed = clock.now - start
        } while elapsed < budget
        let components = elapsed.components
        let elapsedSeconds = Double(components.seconds) + Double(components.attoseconds) * 1e-18
        guard elapsedSeconds > 0 else { return 0 }
        return Double(itemsPerPass * passes) / elapsedSeconds
    }
}

extension EncodingBenchmark.SeriesKind {
    fileprivate var hashSeed: Int {
        Self.allCases.firstIndex(of: self).map { $0 * 7919 } ?? 0
    }
}
