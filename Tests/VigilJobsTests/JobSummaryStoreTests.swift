import Foundation
import Testing
import VigilJobs
import VigilMeta

@Suite struct JobSummaryStoreTests {
    static func record(_ report: JobReport, recordedMs: Int64) throws -> JobSummaryRecord {
        JobSummaryRecord(
            jobID: report.job.id, user: report.job.user, account: report.job.account ?? "",
            partition: report.job.partition ?? "", startMs: report.job.firstSampleMs, endMs: report.job.lastSampleMs,
            gpuCount: report.gpuCount, utilizationAverage: report.utilizationAverage,
            utilizationMax: report.utilizationMax, peakMemoryMiB: report.peakMemoryMiB,
            energyJoules: report.energyJoules, idleGPUs: report.idleGPUCount, reportJSON: try report.jsonString(),
            recordedMs: recordedMs)
    }

    /// A real report, stored in a file, read back after the database is closed and opened again.
    @Test func roundTripThroughAFile() throws {
        let fixture = try JobAnalyzerTests.fixture.get()
        let report = try JobAnalyzer().report(
            jobID: fixture.trainingID, start: JobFixture.start, end: JobFixture.end, on: fixture.storage
        ).report
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-jobs-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("meta.sqlite").path
        do {
            let store = JobSummaryStore(try MetaDatabase(path: path))
            try store.save(try Self.record(report, recordedMs: JobFixture.end))
            try store.save(try Self.record(report, recordedMs: JobFixture.end + 1))
        }
        let store = JobSummaryStore(try MetaDatabase(path: path))
        let stored = try #require(try store.summary(jobID: fixture.trainingID))
        #expect(stored.recordedMs == JobFixture.end + 1)
        #expect(stored.idleGPUs == 1 && stored.gpuCount == 4 && stored.user == "alice")
        #expect(stored.startMs == report.job.firstSampleMs && stored.endMs == report.job.lastSampleMs)
        #expect(try JobReport(jsonString: stored.reportJSON) == report)
        #expect(try store.summaries().count == 1)
        #expect(try store.summary(jobID: "nope") == nil)
    }

    @Test func filtersAndPruning() throws {
        let store = JobSummaryStore(try MetaDatabase.inMemory())
        for (index, user) in ["alice", "bob", "alice"].enumerated() {
            let job = JobAllocation(
                id: "\(index)", user: user, account: index == 1 ? "physics" : nil, gpus: [],
                firstSampleMs: Int64(index) * 1000, lastSampleMs: Int64(index) * 1000 + 500, state: .finished)
            let report = JobReport(
                job: job, utilizationAverage: nil, utilizationMax: nil, peakMemoryMiB: nil, memoryTotalMiB: nil,
                energyJoules: nil, cpuEfficiency: nil, iowait: nil, nodes: [], gpus: [], advice: [], notes: [])
            try store.save(try Self.record(report, recordedMs: 10_000))
        }
        #expect(try store.summaries().map(\.jobID) == ["2", "1", "0"])
        #expect(try store.summaries(.init(user: "alice")).map(\.jobID) == ["2", "0"])
        #expect(try store.summaries(.init(account: "physics")).map(\.jobID) == ["1"])
        #expect(try store.summaries(.init(endedAfterMs: 1500)).map(\.jobID) == ["2", "1"])
        #expect(try store.summaries(.init(limit: 1)).map(\.jobID) == ["2"])
        #expect(try store.storedJobIDs(among: ["0", "7", "2"]) == ["0", "2"])
        #expect(try store.deleteSummaries(endedBeforeMs: 1000) == 1)
        #expect(try store.summaries().map(\.jobID) == ["2", "1"])
    }

    @Test func emptyJobIDIsRejected() throws {
        let store = JobSummaryStore(try MetaDatabase.inMemory())
        let record = JobSummaryRecord(
            jobID: "", user: "", account: "", partition: "", startMs: 0, endMs: 0, gpuCount: 0,
            utilizationAverage: nil, utilizationMax: nil, peakMemoryMiB: nil, energyJoules: nil, idleGPUs: 0,
            reportJSON: "{}", recordedMs: 0)
        let error = #expect(throws: MetaError.self) { try store.save(record) }
        #expect(error?.code == .invalidRecord)
    }

    @Test func damagedReportJSON() {
        let error = #expect(throws: JobsError.self) { try JobReport(jsonString: "{\"job\": 1}") }
        #expect(error?.key == "report")
    }
}
