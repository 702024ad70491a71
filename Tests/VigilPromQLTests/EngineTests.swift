import Testing
import VigilModel
import VigilPromQL

/// The engine's public API: instant and range queries, limits, errors.
@Suite struct EngineTests {
    static let data = PromQLTestRunner.storage(
        loading: """
            load 1m
              requests_total{job="api", instance="a"} 0+10x10
              requests_total{job="api", instance="b"} 0+20x10
              requests_total{job="db", instance="a"} 0+30x10
            """)

    @Test func instantQueryReturnsTheLatestSampleInTheLookbackWindow() throws {
        let result = try Engine().instantQuery("requests_total{instance=\"b\"}", at: 150_000, on: Self.data)
        guard case .vector(let samples) = result.value else { Issue.record("not a vector"); return }
        #expect(samples.count == 1)
        #expect(samples.first?.value == 40)
        #expect(samples.first?.timestamp == 150_000)
        #expect(samples.first?.labels == ["__name__": "requests_total", "job": "api", "instance": "b"])
    }

    @Test func instantQueryOfAScalar() throws {
        let result = try Engine().instantQuery("1 + 2 * 3", at: 0, on: Self.data)
        #expect(result.value == .scalar(7, timestamp: 0))
    }

    @Test func rangeQueryBuildsOneSeriesPerLabelSetWithTheNameDropped() throws {
        let result = try Engine().rangeQuery(
            "sum by (job) (requests_total)", start: 0, end: 120_000, step: 60_000, on: Self.data)
        guard case .matrix(let series) = result.value else { Issue.record("not a matrix"); return }
        #expect(series.map(\.labels) == [["job": "api"], ["job": "db"]])
        #expect(series[0].samples == [Sample(0, 0), Sample(60_000, 30), Sample(120_000, 60)])
        #expect(series[1].samples == [Sample(0, 0), Sample(60_000, 30), Sample(120_000, 60)])
    }

    @Test func rangeQueryRejectsARangeVector() {
        #expect(throws: PromQLError.self) {
            try Engine().rangeQuery("requests_total[5m]", start: 0, end: 60_000, step: 60_000, on: Self.data)
        }
    }

    @Test func maxSamplesErrorNamesTheLimit() {
        let engine = Engine(options: Engine.Options(maxSamples: 2))
        do {
            _ = try engine.instantQuery("requests_total", at: 60_000, on: Self.data)
            Issue.record("expected an error")
        } catch let error as PromQLError {
            #expect(error.code == .tooManySamples)
            #expect(error.message.contains("limit: 2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func timeoutStopsTheQuery() {
        let engine = Engine(options: Engine.Options(timeoutSeconds: -1))
        #expect(throws: PromQLError(.timeout, "query timed out in query execution")) {
            try engine.instantQuery("requests_total", at: 60_000, on: Self.data)
        }
    }

    @Test func cancellingTheTaskCancelsTheQuery() async {
        let task = Task { () -> (any Error)? in
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                _ = try Engine().rangeQuery("requests_total", start: 0, end: 600_000, step: 1000, on: Self.data)
                return nil
            } catch {
                return error
            }
        }
        let error = await task.value
        #expect((error as? PromQLError)?.code == .canceled)
    }

    @Test func manyToManyMatchingIsAnError() {
        do {
            _ = try Engine().instantQuery("requests_total + on (instance) requests_total", at: 60_000, on: Self.data)
            Issue.record("expected an error")
        } catch {
            #expect(
                "\(error)".contains("many-to-many matching not allowed: matching labels must be unique on one side"))
            #expect("\(error)".contains("found duplicate series for the match group"))
        }
    }

    @Test func parseErrorsComeFromTheParser() {
        #expect(throws: PromQLError.self) { try Engine().instantQuery("sum(", at: 0, on: Self.data) }
    }

    @Test func rateWarnsAboutNonCounters() throws {
        let storage = PromQLTestRunner.storage(loading: "load 1m\n  gauge 0+1x10\n")
        let result = try Engine().instantQuery("rate(gauge[5m])", at: 600_000, on: storage)
        #expect(result.infos.count == 1)
        #expect(result.infos.first?.contains("metric might not be a counter") == true)
    }

    @Test func theDeepestTreeTheParserAcceptsEvaluates() throws {
        let storage = PromQLTestRunner.storage(loading: "load 1m\n  m 1\n")
        let query = "m" + String(repeating: " + m", count: 250)
        let result = try Engine().instantQuery(query, at: 0, on: storage)
        guard case .vector(let samples) = result.value else { Issue.record("not a vector"); return }
        #expect(samples.map(\.value) == [251])
    }
}
