import VigilModel
import VigilScrape
import VigilTSDB

/// The scrape manager's targets as `/api/v1/targets` lists them.
struct ScrapeTargetsProvider: TargetsProvider {
    let manager: ScrapeManager

    func activeTargets() async -> [ActiveTarget] {
        await manager.activeTargets().map { target in
            ActiveTarget(
                discoveredLabels: target.discoveredLabels, labels: target.labels, scrapePool: target.scrapePool,
                scrapeURL: target.scrapeURL, globalURL: target.globalURL, lastError: target.lastError,
                lastScrape: target.lastScrape, lastScrapeDurationSeconds: target.lastScrapeDuration,
                health: ActiveTarget.Health(rawValue: target.health.rawValue) ?? .unknown,
                scrapeInterval: target.scrapeInterval, scrapeTimeout: target.scrapeTimeout)
        }
    }

    func droppedTargets() async -> [DroppedTarget] {
        await manager.droppedTargets().map {
            DroppedTarget(discoveredLabels: $0.discoveredLabels, scrapePool: $0.scrapePool)
        }
    }

    func droppedTargetCounts() async -> [String: Int] {
        Dictionary(await manager.droppedTargets().map { ($0.scrapePool, 1) }, uniquingKeysWith: +)
    }
}

/// The TSDB head's own statistics (from its postings, without reading samples).
struct TSDBHeadStatusProvider: TSDBStatusProvider {
    let tsdb: TSDB

    func tsdbStatus(limit: Int) async throws -> TSDBStatus {
        let head = tsdb.headStatus(limit: limit)
        func stats(_ counts: [TSDB.HeadStatus.Count]) -> [TSDBStatus.Stat] {
            counts.map { TSDBStatus.Stat(name: $0.name, value: UInt64($0.value)) }
        }
        return TSDBStatus(
            headStats: .init(
                numSeries: UInt64(head.numSeries), numLabelPairs: head.numLabelPairs,
                chunkCount: Int64(head.chunkCount), minTime: head.minTime ?? .max, maxTime: head.maxTime ?? .min),
            seriesCountByMetricName: stats(head.seriesCountByMetricName),
            labelValueCountByLabelName: stats(head.labelValueCountByLabelName),
            memoryInBytesByLabelName: stats(head.memoryInBytesByLabelName),
            seriesCountByLabelValuePair: stats(head.seriesCountByLabelValuePair))
    }
}
