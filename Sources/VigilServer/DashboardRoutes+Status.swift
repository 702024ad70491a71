import Foundation
import Hummingbird
import VigilModel
import VigilRules
import VigilTSDB
import VigilUI

/// A ``TSDBStatusProvider`` that can also say how many samples the storage holds and how many bytes its
/// blocks take, for the status page's bytes per sample.
protocol StorageSizeReporting: Sendable {
    /// Samples in the head and in the blocks, and the blocks' bytes on disk; nil where unknown.
    func storageSizes() -> (headSamples: Int?, blockSamples: Int?, blockBytes: Int?)
}

extension TSDBHeadStatusProvider: StorageSizeReporting {
    func storageSizes() -> (headSamples: Int?, blockSamples: Int?, blockBytes: Int?) {
        // The TSDB's own gauges hold the head's samples and the blocks' bytes; the blocks' metas their samples.
        var headSamples: Int?
        var blockBytes: Int?
        for family in tsdb.metricFamilies() {
            guard let value = family.samples.first?.value, value.isFinite, value >= 0 else { continue }
            switch family.name {
            case "vigil_tsdb_head_samples": headSamples = Int(value)
            case "vigil_tsdb_storage_blocks_bytes": blockBytes = Int(value)
            default: break
            }
        }
        let blockSamples = tsdb.blocks.reduce(0) { $0 + $1.stats.numSamples }
        return (headSamples, blockSamples, blockBytes)
    }
}

extension DashboardRoutes {
    /// The top lists' length, as Prometheus's `/tsdb-status` page.
    static let statusTopListLength = 10

    /// Gathers the status page's values: build and runtime information, flags, the storage's statistics and
    /// the rule groups. A storage that cannot report leaves its section empty with a note.
    public func status(refreshSeconds: Int? = nil) async -> StatusPage {
        let now = api.now()
        let build = api.buildInfo
        let buildFields = [
            StatusPage.Field("Version", build.version), StatusPage.Field("Revision", build.revision),
            StatusPage.Field("Branch", build.branch), StatusPage.Field("Build user", build.buildUser),
            StatusPage.Field("Build date", build.buildDate), StatusPage.Field("Compiler", build.goVersion),
        ]
        let runtime = api.runtimeInfo()
        let process = ProcessInfo.processInfo
        var runtimeFields = [
            StatusPage.Field("Start time", StatusPage.time(runtime.startTime)),
            StatusPage.Field(
                "Uptime",
                PrometheusDuration.format(milliseconds: max(0, runtime.serverTime - runtime.startTime) / 1000 * 1000)),
            StatusPage.Field("Working directory", runtime.cwd),
            StatusPage.Field("Hostname", runtime.hostname),
            StatusPage.Field("Configuration reload", runtime.reloadConfigSuccess ? "successful" : "failed"),
            StatusPage.Field("Last configuration load", StatusPage.time(runtime.lastConfigTime)),
            StatusPage.Field("Storage retention", runtime.storageRetention),
            StatusPage.Field("Corrupted blocks", String(runtime.corruptionCount)),
            StatusPage.Field("Processor cores", String(process.activeProcessorCount)),
            StatusPage.Field("Physical memory", ChartUnit.bytes.format(Double(process.physicalMemory))),
        ]
        if let threads = Self.threadCount() { runtimeFields.append(StatusPage.Field("Threads", String(threads))) }
        let flags = api.flags.sorted { $0.key < $1.key }.map { StatusPage.Field("--" + $0.key, $0.value) }

        var notes: [String] = []
        var storage: StatusPage.Storage?
        do {
            let status = try await api.tsdbStatus.tsdbStatus(limit: Self.statusTopListLength)
            func stats(_ list: [TSDBStatus.Stat]) -> [StatusPage.Stat] {
                list.map { StatusPage.Stat(name: $0.name, value: $0.value) }
            }
            let head = status.headStats
            let hasTimes = head.minTime <= head.maxTime
            var figures = StatusPage.Storage(
                headSeries: head.numSeries, labelPairs: head.numLabelPairs, chunks: head.chunkCount,
                minTime: hasTimes ? head.minTime : nil, maxTime: hasTimes ? head.maxTime : nil,
                seriesCountByMetricName: stats(status.seriesCountByMetricName),
                labelValueCountByLabelName: stats(status.labelValueCountByLabelName),
                memoryInBytesByLabelName: stats(status.memoryInBytesByLabelName),
                seriesCountByLabelValuePair: stats(status.seriesCountByLabelValuePair))
            if let sizes = (api.tsdbStatus as? any StorageSizeReporting)?.storageSizes() {
                figures.headSamples = sizes.headSamples
                figures.blockSamples = sizes.blockSamples
                figures.blockBytes = sizes.blockBytes
            }
            storage = figures
        } catch {
            notes.append("Could not read the storage's statistics: \(error)")
        }

        let groups = await api.ruleGroups().map { group in
            StatusPage.RuleGroup(
                name: group.name, file: group.file, intervalMilliseconds: group.intervalMilliseconds,
                ruleCount: group.rules.count, lastEvaluation: group.lastEvaluation,
                evaluationSeconds: Self.seconds(group.evaluationDuration),
                failures: group.rules.compactMap { rule in
                    guard let error = rule.lastError, !error.isEmpty else { return nil }
                    return StatusPage.RuleGroup.RuleFailure(rule: rule.name, error: error)
                })
        }
        return StatusPage(
            build: buildFields, runtime: runtimeFields, flags: flags, storage: storage, ruleGroups: groups, now: now,
            refreshSeconds: refreshSeconds ?? defaultRefreshSeconds, notes: notes)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The process's threads (Linux's `/proc/self/status`); nil elsewhere.
    static func threadCount() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// `/ui/status?refresh=…`.
    func statusResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let form = FormValues(query: request.uri.query, body: nil)
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                form["refresh"], back: (StatusPage.path, "Status, refreshed every \(defaultRefreshSeconds) s"))
        } catch {
            return error.response
        }
        let page = await status(refreshSeconds: refresh)
        return Self.timed(Self.html(.ok, page.render()), since: started)
    }
}
