import AsyncHTTPClient
import Logging
import VigilExposition
import VigilModel
import VigilStorage

/// One target's scrapes: at its ``ScrapeOffset`` phase in every interval, until stopped.
///
/// Samples get the scheduled instant as timestamp when the loop woke within Prometheus's tolerance of
/// it (2 ms, at most 1 % of the interval), so consecutive timestamps differ by exactly the interval and
/// the TSDB's delta-of-delta encoding stays at zero bits.
struct ScrapeLoop: Sendable {
    let handle: TargetHandle
    /// Builds the scraper once the manager's HTTP client exists.
    let makeScraper: @Sendable (HTTPClient) throws(ScrapeError) -> any TargetScraper
    let appendable: any Appendable
    let clock: any ScrapeClock
    let settings: AppendSettings
    let offset: ScrapeOffset
    let forcedError: ForcedError
    let logger: Logger

    /// What a loop carries from scrape to scrape.
    struct State {
        var cache: ScrapeCache
        var parser = ExpositionParser(bytes: [], format: .text)
        var buffer: [UInt8] = []
        /// The next scheduled instant (ns since the epoch).
        var next: Int64 = 0
        var missedScrapes = 0
        /// Whether any scrape got as far as appending (end-of-run markers are only for those).
        var hasScraped = false
    }

    private var intervalNanoseconds: Int64 { handle.target.intervalMilliseconds * 1_000_000 }

    /// Scrapes until stopped. A removed target's series get staleness markers; a shutdown (task
    /// cancellation) writes none, since the server resumes where it was.
    func run(client: HTTPClient) async {
        let scraper: any TargetScraper
        do {
            scraper = try makeScraper(client)
        } catch {
            // A target that cannot be set up (unreadable TLS files) still reports up 0 every interval.
            scraper = FailingScraper(error: error)
        }
        let (stop, state) = await withTaskGroup(of: State.self) { group -> (LoopStop?, State?) in
            group.addTask { await scrapeUntilCancelled(scraper) }
            let stop = await handle.waitForStop()
            group.cancelAll()
            return (stop, await group.next())
        }
        if stop == .removed, var state, state.hasScraped { await endOfRunStaleness(&state) }
    }

    private func scrapeUntilCancelled(_ scraper: any TargetScraper) async -> State {
        let interval = intervalNanoseconds
        var state = State(cache: ScrapeCache(targetLabels: settings.targetLabels))
        let now = clock.now()
        state.next = now + Int64(offset.delay(fromEpochNanoseconds: UInt64(now), intervalNanoseconds: UInt64(interval)))
        let tolerance = min(interval / 100, 2_000_000)
        while !Task.isCancelled {
            do { try await clock.sleep(until: state.next) } catch { break }
            let woke = clock.now()
            while woke - state.next >= interval {
                state.next += interval
                state.missedScrapes += 1
            }
            let scheduled = state.next
            let timestamp = woke - scheduled <= tolerance ? scheduled : woke
            state.next = scheduled + interval
            await scrapeOnce(scraper, &state, timestampNanoseconds: timestamp)
        }
        return state
    }

    /// One scrape: fetch, append all or nothing, staleness markers, report series, health.
    func scrapeOnce(_ scraper: any TargetScraper, _ state: inout State, timestampNanoseconds: Int64) async {
        let start = clock.now()
        let timestamp = timestampNanoseconds / 1_000_000
        var result = AppendResult()
        var failure: ScrapeError?
        var appender: (any Appender)?
        if let forced = forcedError.current {
            failure = forced
        } else {
            do {
                let payload = try await scraper.scrape(into: &state.buffer)
                // A loop stopped mid-scrape appends nothing: the iteration does not count.
                if Task.isCancelled { return }
                let transaction = appendable.appender()
                appender = transaction
                state.cache.beginIteration()
                switch payload {
                case .body(let format):
                    state.parser.reset(bytes: state.buffer, format: format)
                    (result, failure) = state.cache.append(
                        from: &state.parser, to: transaction, timestamp: timestamp, settings: settings)
                    // Let go of the body so the next scrape reuses the buffer instead of copying it.
                    state.parser.reset(bytes: [], format: format)
                case .families(let families):
                    var source = CollectedFamilies(families)
                    (result, failure) = state.cache.append(
                        from: &source, to: transaction, timestamp: timestamp, settings: settings)
                }
            } catch {
                if Task.isCancelled { return }
                failure = error
            }
        }
        state.hasScraped = true
        if appender == nil {
            // The scrape failed before appending: count it as an iteration all the same, so that the
            // previous scrape's series are the ones marked stale below.
            state.cache.beginIteration()
        }
        if failure != nil, let transaction = appender {
            try? transaction.rollback()
            appender = nil
        }
        let duration = Double(clock.now() - start) / 1e9
        let up = failure == nil
        let report: [Double] = [
            up ? 1 : 0, duration, Double(result.scraped), Double(result.added), Double(up ? result.seriesAdded : 0),
        ]
        let transaction = appender ?? appendable.appender()
        do {
            if !up {
                state.cache.abandonIteration()
                try state.cache.appendStaleMarkersAfterFailure(to: transaction, timestamp: timestamp)
            }
            try state.cache.appendReport(to: transaction, timestamp: timestamp, values: report)
            try transaction.commit()
        } catch let error as ScrapeError {
            try? transaction.rollback()
            failure = failure ?? error
        } catch {
            try? transaction.rollback()
            failure = failure ?? ScrapeError(.storage, "committing the scrape failed", cause: error)
        }
        if failure == nil {
            state.cache.commitIteration()
        }
        if let metadata = state.cache.takeMetadataIfChanged() { handle.setMetadata(metadata) }
        let action = handle.updateHealth { health in
            if let failure {
                health.scrapeFailed(failure.description, at: timestamp, duration: duration)
            } else {
                health.scrapeSucceeded(at: timestamp, duration: duration)
            }
        }
        switch action {
        case .none: break
        case .logFailure(let error):
            logger.warning(
                "scrape failed",
                metadata: [
                    "job": "\(handle.target.scrapePool)", "url": "\(handle.target.scrapeURL)", "error": "\(error)",
                ])
        case .logRecovery:
            logger.info(
                "scrape recovered",
                metadata: ["job": "\(handle.target.scrapePool)", "url": "\(handle.target.scrapeURL)"])
        }
        if result.rejected > 0 {
            logger.debug(
                "samples refused for their timestamps",
                metadata: ["url": "\(handle.target.scrapeURL)", "count": "\(result.rejected)"])
        }
    }

    /// As Prometheus's `endOfRunStaleness`: the markers carry the instant of the scrape that did not
    /// happen, and are written only after two intervals and a tenth, so that a target that comes back
    /// (a flapping discovery) has scraped again by then and its markers are refused as out of order.
    private func endOfRunStaleness(_ state: inout State) async {
        let staleTime = state.next
        let interval = intervalNanoseconds
        do { try await clock.sleep(until: staleTime + interval + interval / 10) } catch { return }
        let appender = appendable.appender()
        do {
            try state.cache.appendEndOfRunStaleMarkers(to: appender, timestamp: staleTime / 1_000_000)
            try appender.commit()
        } catch {
            try? appender.rollback()
            logger.warning(
                "writing staleness markers for a removed target failed",
                metadata: ["url": "\(handle.target.scrapeURL)", "error": "\(error)"])
        }
    }
}
