import Foundation
import Testing
import VigilAlerting
import VigilModel

@Suite struct SilencesTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func silence(_ matchers: [LabelMatcher], from: TimeInterval = 0, to: TimeInterval = 3600, id: String = "")
        -> Silence
    {
        Silence(id: id, matchers: matchers, startsAt: t0 + from, endsAt: t0 + to, createdBy: "me", comment: "c")
    }

    @Test func validation() throws {
        var silences = Silences()
        #expect(
            throws: AlertingError(
                .invalidSilence, "invalid silence: at least one matcher required", keyPath: "matchers")
        ) {
            try silences.set(silence([]), now: t0)
        }
        #expect(
            throws: AlertingError(
                .invalidSilence, "invalid silence: at least one matcher must not match the empty string",
                keyPath: "matchers")
        ) {
            try silences.set(
                silence([try LabelMatcher(.regexMatch, "a", ".*"), try LabelMatcher(.equal, "b", "")]), now: t0)
        }
        #expect(
            throws: AlertingError(
                .invalidSilence, "invalid silence: end time must not be before start time", keyPath: "endsAt")
        ) {
            try silences.set(silence([try LabelMatcher(.equal, "a", "b")], from: 100, to: 50), now: t0)
        }
        #expect(throws: AlertingError(.notFound, "silence not found")) {
            try silences.set(silence([try LabelMatcher(.equal, "a", "b")], id: "nope"), now: t0)
        }
    }

    @Test func updateExpireAndQuery() throws {
        var silences = Silences()
        var counter = 0
        let ids: () -> String = {
            counter += 1
            return "id\(counter)"
        }
        let matcher = try LabelMatcher(.equal, "team", "gpu")
        let created = try silences.set(silence([matcher]), now: t0, newID: ids)
        #expect(created.map(\.id) == ["id1"])
        #expect(silences.isSilenced(["team": "gpu", "x": "y"], now: t0 + 1) == ["id1"])
        #expect(silences.isSilenced(["team": "infra"], now: t0 + 1).isEmpty)
        // Extending an active silence keeps its id.
        #expect(
            try silences.set(silence([matcher], to: 7200, id: "id1"), now: t0 + 10, newID: ids).map(\.id) == ["id1"])
        // Changing the matchers of an active silence expires it and creates a new one.
        let other = try LabelMatcher(.equal, "team", "infra")
        let written = try silences.set(silence([other], id: "id1"), now: t0 + 20, newID: ids)
        #expect(written.map(\.id) == ["id1", "id2"])
        #expect(silences["id1"]?.state(at: t0 + 20) == .expired)
        #expect(silences["id2"]?.startsAt == t0 + 20)
        #expect(silences.query(states: [.active], now: t0 + 30).map(\.id) == ["id2"])
        #expect(silences.query(filter: [matcher], now: t0 + 30).map(\.id) == ["id1"])
        #expect(throws: AlertingError(.invalidSilence, "silence id1 already expired")) {
            try silences.expire(id: "id1", now: t0 + 30)
        }
        // A pending silence expires with start and end now.
        _ = try silences.set(silence([matcher], from: 1000, to: 2000), now: t0 + 30, newID: ids)
        let expired = try silences.expire(id: "id3", now: t0 + 40)
        #expect(expired.startsAt == t0 + 40 && expired.endsAt == t0 + 40)
    }
}
