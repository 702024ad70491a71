import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
import VigilModel
import VigilServer
import VigilStorage
import VigilTSDB

/// A TSDB in a fresh directory (removed at the end) with `up` for two jobs every minute over 10 hours, the
/// first 8 hours cut into blocks; the API fixture serves it with the admin endpoints enabled.
private final class AdminFixture: Sendable {
    static let hour: Int64 = 3_600_000
    let directory: String
    let db: TSDB
    let fixture: APIFixture

    init(enabled: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.path + "/vigil-admin-" + UUID().uuidString
        let db = try TSDB.open(directory: directory, options: .init(compactionRanges: [], retention: nil))
        self.db = db
        let appender = db.appender()
        for job in ["api", "node"] {
            for minute in 0..<600 {
                _ = try appender.append(
                    ["__name__": "up", "job": job], timestamp: Int64(minute) * 60_000, value: Double(minute))
            }
        }
        try appender.commit()
        try db.cutHead()
        fixture = APIFixture {
            $0.storage = db
            if enabled { $0.admin = AdminActions(tsdb: db, now: { APIFixture.now }) }
        }
    }

    deinit {
        try? db.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func timestamps(job: String) throws -> [Int64] {
        var set = try db.querier(mint: .min, maxt: .max).select(
            sorted: true, hints: nil, matchers: [try LabelMatcher(.equal, "job", job)])
        return try set.next()?.samples().map(\.timestamp) ?? []
    }
}

@Suite struct AdminAPITests {
    static let endpoints = ["delete_series?match[]=up", "clean_tombstones", "snapshot"]

    @Test(arguments: endpoints)
    func disabledUnlessEnabled(endpoint: String) async throws {
        let admin = try AdminFixture(enabled: false)
        try await admin.fixture.app.test(.router) { client in
            let answer = try await client.postForm("/api/v1/admin/tsdb/" + endpoint, "")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.body == #"{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}"#)
        }
        #expect(try admin.timestamps(job: "api").count == 600)
    }

    @Test func deleteSeriesHidesTheRangeAndCleanTombstonesRewritesBlocks() async throws {
        let admin = try AdminFixture()
        let hour = AdminFixture.hour
        try await admin.fixture.app.test(.router) { client in
            // Seconds, as the API takes times: [1 h, 3 h] of job="api".
            let answer = try await client.postForm(
                "/api/v1/admin/tsdb/delete_series", "match[]=" + encode(#"up{job="api"}"#) + "&start=3600&end=10800")
            #expect(answer.status == .noContent)
            #expect(answer.body.isEmpty)
            #expect(
                try admin.timestamps(job: "api")
                    == (0..<600).map { Int64($0) * 60_000 }.filter { $0 < hour || $0 > 3 * hour })
            #expect(try admin.timestamps(job: "node").count == 600)
            // The query API sees it too.
            let query = try await client.get("/api/v1/query?query=" + encode("count_over_time(up[1h])") + "&time=7200")
            #expect(query.body.contains(#""job":"node"},"value":[7200,"60"]"#))
            #expect(!query.body.contains(#""job":"api""#))

            let blocksBefore = admin.db.blocks.map(\.ulid)
            try await client.execute(uri: "/api/v1/admin/tsdb/clean_tombstones", method: .put) { response in
                #expect(response.status == .noContent)
            }
            let blocksAfter = admin.db.blocks
            #expect(blocksAfter.count == blocksBefore.count)
            #expect(blocksAfter[0].ulid != blocksBefore[0] && blocksAfter[3].ulid == blocksBefore[3])
            #expect(blocksAfter[0].stats.numSamples == 120 + 60)
            // Without start and end, everything of the series goes.
            try await client.execute(
                uri: "/api/v1/admin/tsdb/delete_series?match[]=" + encode(#"{job="node"}"#), method: .put
            ) { #expect($0.status == .noContent) }
            #expect(try admin.timestamps(job: "node").isEmpty)
        }
    }

    @Test(
        arguments: [
            ("", "no match[] parameter provided"),
            ("match[]=" + encode("up{"), "1:4: parse error: unexpected end of input inside braces"),
            (
                "match[]=up&start=yesterday",
                #"invalid parameter "start": Invalid time value for 'start': cannot parse "yesterday" to a valid timestamp"#
            ),
            (
                "match[]=up&end=1e400",
                #"invalid parameter "end": Invalid time value for 'end': cannot parse "1e400" to a valid timestamp"#
            ),
        ])
    func badDeleteRequests(form: String, message: String) async throws {
        let admin = try AdminFixture()
        try await admin.fixture.app.test(.router) { client in
            let answer = try await client.postForm("/api/v1/admin/tsdb/delete_series", form)
            #expect(answer.status == .badRequest)
            #expect(answer.errorType == "bad_data")
            #expect(answer.error == message)
        }
        #expect(try admin.timestamps(job: "api").count == 600)
    }

    @Test func aRangeEndingBeforeItStartsDeletesNothing() async throws {
        let admin = try AdminFixture()
        try await admin.fixture.app.test(.router) { client in
            let answer = try await client.postForm("/api/v1/admin/tsdb/delete_series", "match[]=up&start=7200&end=3600")
            #expect(answer.status == .noContent)
        }
        #expect(try admin.timestamps(job: "api").count == 600)
    }

    @Test func snapshotsAreNamedAndOpenAsDataDirectories() async throws {
        let admin = try AdminFixture()
        try await admin.fixture.app.test(.router) { client in
            let full = try await client.postForm("/api/v1/admin/tsdb/snapshot", "")
            #expect(full.status == .ok)
            let name = try #require((full.data as? [String: Any])?["name"] as? String)
            #expect(name.wholeMatch(of: /20231114T221320Z-[0-9a-f]{16}/) != nil, "\(name)")
            let headless = try await client.postForm("/api/v1/admin/tsdb/snapshot", "skip_head=true")
            let other = try #require((headless.data as? [String: Any])?["name"] as? String)
            #expect(other != name)

            for (snapshot, samples) in [(name, 600), (other, 480)] {
                let copy = try TSDB.open(directory: admin.directory + "/snapshots/" + snapshot)
                defer { try? copy.close() }
                var set = try copy.querier(mint: .min, maxt: .max).select(
                    sorted: true, hints: nil, matchers: [try LabelMatcher(.equal, "__name__", "up")])
                var counts: [Int] = []
                while let series = try set.next() { counts.append(try series.samples().count) }
                #expect(counts == [samples, samples], "\(snapshot)")
            }

            let bad = try await client.postForm("/api/v1/admin/tsdb/snapshot", "skip_head=maybe")
            #expect(bad.status == .badRequest)
            #expect(
                bad.error
                    == #"unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing "maybe": invalid syntax"#
            )
        }
    }

    @Test func storageFailuresAreInternalErrors() async throws {
        let calls = Mutex(0)
        let fixture = APIFixture {
            $0.admin = AdminActions(
                deleteSeries: { _, _, _ in
                    calls.withLock { $0 += 1 }
                    throw StorageError(.io, "disk full")
                },
                cleanTombstones: { throw StorageError(.io, "disk full") },
                snapshot: { _ in throw StorageError(.io, "disk full") })
        }
        try await fixture.app.test(.router) { client in
            let delete = try await client.postForm("/api/v1/admin/tsdb/delete_series", "match[]=up&match[]=down")
            #expect(delete.status == .internalServerError)
            #expect(delete.body == #"{"status":"error","errorType":"internal","error":"disk full"}"#)
            let clean = try await client.postForm("/api/v1/admin/tsdb/clean_tombstones", "")
            #expect(clean.status == .internalServerError)
            let snapshot = try await client.postForm("/api/v1/admin/tsdb/snapshot", "")
            #expect(snapshot.error == "create snapshot: disk full")
            try await client.execute(uri: "/api/v1/admin/tsdb/snapshot", method: .get) { #expect($0.status != .ok) }
        }
        #expect(calls.withLock { $0 } == 1)  // the first failure ends the request
    }
}
