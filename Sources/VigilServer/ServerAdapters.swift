import VigilModel
import VigilTSDB

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
