import VigilModel
import VigilScrape

extension PrometheusAPI {
    /// `/api/v1/metadata`: `limit` (families), `limit_per_metric`, `metric`; families in name order.
    func metricMetadata(_ form: FormValues, _ out: inout APIOutput) async throws {
        var limit = -1
        if !form["limit"].isEmpty {
            guard let value = Int(form["limit"]) else { throw APIError(.badData, "limit must be a number") }
            limit = value
        }
        var limitPerMetric = -1
        if !form["limit_per_metric"].isEmpty {
            guard let value = Int(form["limit_per_metric"]) else {
                throw APIError(.badData, "limit_per_metric must be a number")
            }
            limitPerMetric = value
        }
        let metric = form["metric"]
        // Distinct (type, help, unit) per family, in the order given.
        var families: [String: [MetricMetadata]] = [:]
        for (name, entries) in await metadata.metricMetadata() where metric.isEmpty || name == metric {
            var known: [MetricMetadata] = []
            for entry in entries where !known.contains(entry) {
                if limitPerMetric > 0 && known.count >= limitPerMetric { break }
                known.append(entry)
            }
            families[name] = known
        }
        var names = families.keys.sorted()
        if limit >= 0 && names.count > limit { names.removeLast(names.count - limit) }
        out.raw("{")
        for (index, name) in names.enumerated() {
            if index > 0 { out.json.byte(UInt8(ascii: ",")) }
            out.string(name)
            out.raw(":[")
            for (entryIndex, entry) in families[name, default: []].enumerated() {
                if entryIndex > 0 { out.json.byte(UInt8(ascii: ",")) }
                out.raw(#"{"type":"#)
                out.string(entry.type.rawValue)
                out.raw(#","help":"#)
                out.string(entry.help)
                out.raw(#","unit":"#)
                out.string(entry.unit)
                out.raw("}")
            }
            out.raw("]")
        }
        out.raw("}")
    }

    /// `/api/v1/targets`: `state` (`active`, `dropped`, `any`) and `scrapePool` filters.
    func targetList(_ form: FormValues, _ out: inout APIOutput) async throws {
        let state = form["state"].lowercased()
        let pool = form["scrapePool"]
        let showActive = state.isEmpty || state == "any" || state == "active"
        let showDropped = state.isEmpty || state == "any" || state == "dropped"
        out.raw(#"{"activeTargets":["#)
        if showActive {
            // Pools in name order; targets within a pool as the provider lists them.
            let active = await targets.activeTargets().enumerated()
                .filter { pool.isEmpty || $0.element.scrapePool == pool }
                .sorted { ($0.element.scrapePool, $0.offset) < ($1.element.scrapePool, $1.offset) }
                .map(\.element)
            for (index, target) in active.enumerated() {
                if index > 0 { out.json.byte(UInt8(ascii: ",")) }
                writeTarget(target, to: &out)
            }
        }
        out.raw(#"],"droppedTargets":["#)
        if showDropped {
            let dropped = await targets.droppedTargets().enumerated()
                .filter { pool.isEmpty || $0.element.scrapePool == pool }
                .sorted { ($0.element.scrapePool, $0.offset) < ($1.element.scrapePool, $1.offset) }
                .map(\.element)
            for (index, target) in dropped.enumerated() {
                if index > 0 { out.json.byte(UInt8(ascii: ",")) }
                out.raw(#"{"discoveredLabels":"#)
                out.json.labels(target.discoveredLabels)
                out.raw(#","scrapePool":"#)
                out.string(target.scrapePool)
                out.raw("}")
            }
        }
        out.raw(#"],"droppedTargetCounts":"#)
        if showDropped {
            let counts = await targets.droppedTargetCounts()
            out.raw("{")
            for (index, name) in counts.keys.sorted().enumerated() {
                if index > 0 { out.json.byte(UInt8(ascii: ",")) }
                out.string(name)
                out.raw(":")
                out.json.int(counts[name, default: 0])
            }
            out.raw("}")
        } else {
            out.json.null()
        }
        out.raw("}")
    }

    private func writeTarget(_ target: ActiveTargetStatus, to out: inout APIOutput) {
        out.raw(#"{"discoveredLabels":"#)
        out.json.labels(target.discoveredLabels)
        out.raw(#","labels":"#)
        out.json.labels(target.labels)
        out.raw(#","scrapePool":"#)
        out.string(target.scrapePool)
        out.raw(#","scrapeUrl":"#)
        out.string(target.scrapeURL)
        out.raw(#","globalUrl":"#)
        out.string(target.globalURL)
        out.raw(#","lastError":"#)
        out.string(target.lastError)
        out.raw(#","lastScrape":"#)
        out.string(RFC3339.format(target.lastScrape))
        out.raw(#","lastScrapeDuration":"#)
        out.json.number(target.lastScrapeDuration.isFinite ? target.lastScrapeDuration : 0)
        out.raw(#","health":"#)
        out.string(target.health.rawValue)
        out.raw(#","scrapeInterval":"#)
        out.string(target.scrapeInterval)
        out.raw(#","scrapeTimeout":"#)
        out.string(target.scrapeTimeout)
        out.raw("}")
    }

    /// `/api/v1/status/buildinfo`, without a `features` field (see ``BuildInfo``).
    func writeBuildInfo(to out: inout APIOutput) {
        out.raw(#"{"version":"#)
        out.string(buildInfo.version)
        out.raw(#","revision":"#)
        out.string(buildInfo.revision)
        out.raw(#","branch":"#)
        out.string(buildInfo.branch)
        out.raw(#","buildUser":"#)
        out.string(buildInfo.buildUser)
        out.raw(#","buildDate":"#)
        out.string(buildInfo.buildDate)
        out.raw(#","goVersion":"#)
        out.string(buildInfo.goVersion)
        out.raw("}")
    }

    /// `/api/v1/status/flags`: an object with the flags in name order (Go sorts map keys).
    func writeFlags(to out: inout APIOutput) {
        out.raw("{")
        for (index, name) in flags.keys.sorted().enumerated() {
            if index > 0 { out.json.byte(UInt8(ascii: ",")) }
            out.string(name)
            out.raw(":")
            out.string(flags[name, default: ""])
        }
        out.raw("}")
    }

    /// `/api/v1/status/runtimeinfo`.
    func writeRuntimeInfo(to out: inout APIOutput) {
        let info = runtimeInfo()
        out.raw(#"{"startTime":"#)
        out.string(RFC3339.format(info.startTime))
        out.raw(#","CWD":"#)
        out.string(info.cwd)
        out.raw(#","hostname":"#)
        out.string(info.hostname)
        out.raw(#","serverTime":"#)
        out.string(RFC3339.format(info.serverTime))
        out.raw(#","reloadConfigSuccess":"#)
        out.json.bool(info.reloadConfigSuccess)
        out.raw(#","lastConfigTime":"#)
        out.string(RFC3339.format(info.lastConfigTime))
        out.raw(#","corruptionCount":"#)
        out.json.int(info.corruptionCount)
        out.raw(#","goroutineCount":"#)
        out.json.int(info.goroutineCount)
        out.raw(#","GOMAXPROCS":"#)
        out.json.int(info.gomaxprocs)
        out.raw(#","GOMEMLIMIT":"#)
        out.json.int(info.gomemlimit)
        out.raw(#","GOGC":"#)
        out.string(info.gogc)
        out.raw(#","GODEBUG":"#)
        out.string(info.godebug)
        out.raw(#","storageRetention":"#)
        out.string(info.storageRetention)
        out.raw("}")
    }

    /// `/api/v1/status/tsdb`: `limit` (default 10) entries per top list.
    func tsdbStatus(_ form: FormValues, _ out: inout APIOutput) async throws {
        var limit = 10
        if !form["limit"].isEmpty {
            guard let value = Int(form["limit"]), value >= 1 else {
                throw APIError(.badData, "limit must be a positive number")
            }
            limit = value
        }
        let status: TSDBStatus
        do {
            status = try await tsdbStatus.tsdbStatus(limit: limit)
        } catch {
            throw APIError(.internal, "\(error)")
        }
        out.raw(#"{"headStats":{"numSeries":"#)
        out.json.int(status.headStats.numSeries)
        out.raw(#","numLabelPairs":"#)
        out.json.int(status.headStats.numLabelPairs)
        out.raw(#","chunkCount":"#)
        out.json.int(status.headStats.chunkCount)
        out.raw(#","minTime":"#)
        out.json.int(status.headStats.minTime)
        out.raw(#","maxTime":"#)
        out.json.int(status.headStats.maxTime)
        out.raw(#"},"seriesCountByMetricName":"#)
        writeStats(status.seriesCountByMetricName, to: &out)
        out.raw(#","labelValueCountByLabelName":"#)
        writeStats(status.labelValueCountByLabelName, to: &out)
        out.raw(#","memoryInBytesByLabelName":"#)
        writeStats(status.memoryInBytesByLabelName, to: &out)
        out.raw(#","seriesCountByLabelValuePair":"#)
        writeStats(status.seriesCountByLabelValuePair, to: &out)
        out.raw("}")
    }

    private func writeStats(_ stats: [TSDBStatus.Stat], to out: inout APIOutput) {
        out.raw("[")
        for (index, stat) in stats.enumerated() {
            if index > 0 { out.json.byte(UInt8(ascii: ",")) }
            out.raw(#"{"name":"#)
            out.string(stat.name)
            out.raw(#","value":"#)
            out.json.int(stat.value)
            out.raw("}")
        }
        out.raw("]")
    }
}
