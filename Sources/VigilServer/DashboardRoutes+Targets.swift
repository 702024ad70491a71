import Hummingbird
import VigilModel
import VigilScrape
import VigilUI

extension DashboardRoutes {
    /// The scrape targets by pool, as `/api/v1/targets` lists them, with the dropped counts; pools in natural
    /// order, targets in the provider's order.
    public func targets(
        health: TargetsPage.Health? = nil, pool: String? = nil, refreshSeconds: Int? = nil
    ) async -> TargetsPage {
        let active = await api.targets.activeTargets()
        let dropped = await api.targets.droppedTargetCounts()
        var byPool: [String: [TargetsPage.Target]] = [:]
        for target in active {
            byPool[target.scrapePool, default: []].append(
                TargetsPage.Target(
                    scrapeURL: target.globalURL, labels: target.labels, health: Self.pageHealth(target.health),
                    lastScrape: target.lastScrape, lastScrapeDuration: target.lastScrapeDuration,
                    lastError: target.lastError, scrapeInterval: target.scrapeInterval,
                    scrapeTimeout: target.scrapeTimeout))
        }
        let names = Set(byPool.keys).union(dropped.keys).sorted(by: HTMLPage.naturalOrder)
        let pools = names.map { name in
            TargetsPage.Pool(name: name, targets: byPool[name] ?? [], droppedCount: dropped[name] ?? 0)
        }
        return TargetsPage(
            pools: pools, healthFilter: health, poolFilter: pool, now: api.now(),
            refreshSeconds: refreshSeconds ?? defaultRefreshSeconds)
    }

    static func pageHealth(_ health: TargetHealth) -> TargetsPage.Health {
        switch health {
        case .up: .up
        case .down: .down
        case .unknown: .unknown
        }
    }

    /// `/ui/targets?health=up|down|unknown&pool=…&refresh=…`: an unknown health is a 400, an unknown pool a
    /// 404 that lists the pools.
    func targetsResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let form = FormValues(query: request.uri.query, body: nil)
        let path = TargetsPage.path
        var health: TargetsPage.Health?
        if !form["health"].isEmpty {
            guard let value = TargetsPage.Health(rawValue: form["health"]) else {
                let names = TargetsPage.Health.allCases.map(\.rawValue)
                return Self.html(
                    .badRequest,
                    HTMLPage.errorPage(
                        title: "Unknown health",
                        message: "There is no target health \"\(form["health"])\"; health must be one of "
                            + names.joined(separator: ", ") + ".",
                        links: [(path, "All targets")] + names.map { ("\(path)?health=\($0)", "Targets \($0)") }))
            }
            health = value
        }
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                form["refresh"], back: (path, "Targets, refreshed every \(defaultRefreshSeconds) s"))
        } catch {
            return error.response
        }
        let pool = form["pool"].isEmpty ? nil : form["pool"]
        let page = await targets(health: health, pool: pool, refreshSeconds: refresh)
        if let pool, !page.pools.contains(where: { $0.name == pool }) {
            return Self.html(
                .notFound,
                HTMLPage.errorPage(
                    title: "Unknown scrape pool",
                    message: "No scrape pool is called \"\(pool)\"."
                        + (page.pools.isEmpty ? " Vigil scrapes no targets at the moment." : " These pools exist:"),
                    links: [(path, "All targets")]
                        + page.pools.map { (TimeRange.link(path, [("pool", $0.name)]), $0.name) }))
        }
        return Self.timed(Self.html(.ok, page.render()), since: started)
    }
}
