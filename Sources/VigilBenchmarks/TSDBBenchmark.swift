import Foundation
import VigilEncoding
import VigilModel
import VigilStorage
import VigilTSDB

/// The TSDB's ingest path and density, for `vigil bench tsdb`: DCGM-shaped series (the benchmark
/// harness's 20 dcgm-exporter counters per GPU, 8 GPUs per node, values from ``EncodingBenchmark``'s
/// generators) appended as a server appends scrapes — one transaction per scrape interval with every
/// series, WAL written and fsynced — then cut into blocks.
public enum TSDBBenchmark {
    public struct Result: Sendable {
        public var series: Int
        public var samples: Int
        /// Wall-clock ingest rate through appenders, commits and the WAL.
        public var ingestSamplesPerSecond: Double
        public var ingestCPUSeconds: Double
        /// Resident memory the head grew by per series over its first 2 h of samples (a full head:
        /// labels, postings, 4 chunks of 120 samples), as "memory per active head series" is compared.
        public var headBytesPerSeries: Double
        /// Seconds to cut the head into blocks.
        public var cutSeconds: Double
        /// Block bytes (chunks, index, meta) per sample once cut.
        public var blockBytesPerSample: Double
    }

    /// `samplesPerSeries` at 15 s; at least 4 h (960) so that the head has a block to cut.
    public static func run(nodes: Int = 16, samplesPerSeries: Int = 1440, directory: String) throws -> Result {
        precondition(samplesPerSeries >= 960, "at least 4 h of samples, so that a block is cut")
        let names = [
            "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_GPU_TEMP",
            "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
            "DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_GPU_UTIL",
            "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_FB_FREE",
            "DCGM_FI_DEV_FB_USED", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_PCIE_RX_BYTES",
            "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_DEV_VGPU_LICENSE_STATUS", "DCGM_FI_DEV_ROW_REMAP_FAILURE",
        ]
        var labels: [Labels] = []
        var values: [[Double]] = []
        var timestamps: [Int64] = []
        for node in 0..<nodes {
            for gpu in 0..<8 {
                for (index, name) in names.enumerated() {
                    labels.append(
                        Labels([
                            Label("__name__", name), Label("gpu", String(gpu)),
                            Label("UUID", "GPU-\(node)-\(gpu)-5c1d-4a7e-9b3f"), Label("node", "node-\(node)"),
                            Label("modelName", "NVIDIA H100 80GB HBM3"), Label("instance", "node-\(node):9400"),
                            Label("job", "dcgm"),
                        ]))
                    let kind = EncodingBenchmark.dcgmMix[index]
                    let generated = EncodingBenchmark.generateSeries(
                        kind, count: samplesPerSeries, seed: UInt64(node * 8 + gpu))
                    values.append(generated.values)
                    timestamps = generated.timestamps
                }
            }
        }
        let tsdb = try TSDB.open(directory: directory)
        let rssBefore = ProcessUsage.residentBytes()
        let cpuBefore = ProcessUsage.cpuSeconds()
        let started = ContinuousClock.now
        var refs = [SeriesRef?](repeating: nil, count: labels.count)
        var rssAtTwoHours = rssBefore
        for step in 0..<samplesPerSeries {
            if step == 480 { rssAtTwoHours = ProcessUsage.residentBytes() }
            let appender = tsdb.appender()
            for index in labels.indices {
                if let ref = refs[index] {
                    try appender.append(ref, timestamp: timestamps[step], value: values[index][step])
                } else {
                    refs[index] = try appender.append(
                        labels[index], timestamp: timestamps[step], value: values[index][step])
                }
            }
            try appender.commit()
        }
        let elapsed = started.duration(to: .now)
        let cpu = ProcessUsage.cpuSeconds() - cpuBefore
        let samples = labels.count * samplesPerSeries
        let cutStarted = ContinuousClock.now
        // Cut everything: a compaction "now" far beyond the data.
        let blocks = try tsdb.cutHead()
        let cut = cutStarted.duration(to: .now)
        let blockBytes = try blocks.reduce(0) { total, meta in
            total + (try directorySize(directory + "/" + meta.ulid))
        }
        let blockSamples = blocks.reduce(0) { $0 + $1.stats.numSamples }
        try tsdb.close()
        return Result(
            series: labels.count, samples: samples,
            ingestSamplesPerSecond: Double(samples) / seconds(elapsed), ingestCPUSeconds: cpu,
            headBytesPerSeries: Double(max(0, rssAtTwoHours - rssBefore)) / Double(labels.count),
            cutSeconds: seconds(cut),
            blockBytesPerSample: blockSamples == 0 ? 0 : Double(blockBytes) / Double(blockSamples))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func directorySize(_ path: String) throws -> Int {
        let files = try FileManager.default.subpathsOfDirectory(atPath: path)
        return files.reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + file)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
