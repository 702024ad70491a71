import Foundation
import Synchronization
import VigilModel
import VigilStorage

extension TSDB {
    /// What ``inspect(directory:)`` finds in a data directory: the figures of `vigil tsdb inspect`.
    public struct Report: Sendable {
        public struct Block: Sendable {
            public var ulid: String
            public var minTime: Int64
            public var maxTime: Int64
            public var level: Int
            public var series: Int
            public var samples: Int
            public var chunks: Int
            /// Chunks in the packed encoding (the rest are XOR).
            public var packedChunks: Int
            public var bytes: Int
            /// Series with deleted intervals (tombstones), and how many intervals in all.
            public var seriesWithTombstones: Int
            public var tombstoneIntervals: Int
        }

        public struct Count: Sendable, Equatable {
            public var name: String
            public var count: Int
        }

        public var blocks: [Block] = []
        /// Blocks that failed their checks (left in place: inspecting changes nothing), with the reason.
        public var damaged: [(path: String, reason: String)] = []
        /// Bytes of every file in the directory, the WAL included.
        public var directoryBytes = 0
        /// Samples in blocks.
        public var samples = 0
        /// Block bytes per block sample.
        public var bytesPerSample: Double {
            samples == 0 ? 0 : Double(blocks.reduce(0) { $0 + $1.bytes }) / Double(samples)
        }
        /// Metric names with the most distinct series over all blocks (at most 10).
        public var topMetricsBySeries: [Count] = []
        /// Label names with the most distinct values over all blocks (at most 10).
        public var topLabelsByValues: [Count] = []
    }

    /// Reads every block of `directory` (without modifying anything) and summarises it.
    public static func inspect(directory: String) throws(StorageError) -> Report {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory) else {
            throw StorageError(.io, "cannot list \(directory)")
        }
        var report = Report()
        var seriesByMetric: [String: Set<Labels>] = [:]
        var valuesByLabel: [String: Set<String>] = [:]
        for name in names.sorted() where BlockID.isValid(name) {
            let path = directory + "/" + name
            do throws(StorageError) {
                let block = try BlockReader(directory: path)
                let meta = block.meta
                let tombstones = block.tombstones.withLock { $0 }
                report.blocks.append(
                    .init(
                        ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime, level: meta.compaction.level,
                        series: meta.stats.numSeries, samples: meta.stats.numSamples, chunks: meta.stats.numChunks,
                        packedChunks: block.series.reduce(0) { $0 + $1.chunks.count { $0.encoding == .packed } },
                        bytes: block.byteCount, seriesWithTombstones: tombstones.count,
                        tombstoneIntervals: tombstones.values.reduce(0) { $0 + $1.count }))
                report.samples += meta.stats.numSamples
                for series in block.series {
                    seriesByMetric[series.labels.metricName ?? "", default: []].insert(series.labels)
                }
                for (label, values) in block.postings { valuesByLabel[label, default: []].formUnion(values.keys) }
            } catch {
                report.damaged.append((path, error.message))
            }
        }
        report.blocks.sort { $0.minTime < $1.minTime }
        report.topMetricsBySeries = top(seriesByMetric.map { Report.Count(name: $0.key, count: $0.value.count) })
        report.topLabelsByValues = top(valuesByLabel.map { Report.Count(name: $0.key, count: $0.value.count) })
        if let enumerator = fileManager.enumerator(atPath: directory) {
            while let relative = enumerator.nextObject() as? String {
                let attributes = try? fileManager.attributesOfItem(atPath: directory + "/" + relative)
                if attributes?[.type] as? FileAttributeType == .typeRegular {
                    report.directoryBytes += (attributes?[.size] as? Int) ?? 0
                }
            }
        }
        return report
    }

    private static func top(_ counts: [Report.Count]) -> [Report.Count] {
        Array(counts.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }.prefix(10))
    }
}
