public import VigilConfig
public import VigilModel

/// One target of a scrape pool, after target relabelling: what to scrape, how often, and the labels its
/// series get.
public struct ScrapeTarget: Sendable, Hashable {
    /// The job (scrape pool) the target belongs to.
    public var scrapePool: String
    /// Discovery's labels before relabelling (`__address__`, `__meta_*`, group labels and the defaults).
    public var discoveredLabels: Labels
    /// Every label after relabelling, `__address__`, `__scheme__`, `__param_*` … included.
    public var allLabels: Labels
    /// The labels every series of the target carries: ``allLabels`` without the `__` ones.
    public var labels: Labels
    public var scrapeURL: String
    /// Milliseconds, from `__scrape_interval__`.
    public var intervalMilliseconds: Int64
    /// Milliseconds, from `__scrape_timeout__`.
    public var timeoutMilliseconds: Int64

    /// The target's phase seed: the same target is scraped at the same offset in its interval.
    public var hash: UInt64 {
        var hash = allLabels.stableHash
        for byte in scrapeURL.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// What target relabelling made of one discovered target.
public enum TargetResolution: Sendable, Hashable {
    case active(ScrapeTarget)
    /// Relabelling dropped it; the labels are the discovered ones.
    case dropped(Labels)
    /// It cannot be scraped as labelled (no address, an invalid interval); the error says why.
    case invalid(discoveredLabels: Labels, message: String)
}

extension ScrapeTarget {
    /// Resolves one target of a group as Prometheus's `PopulateLabels` does: the target's and the group's
    /// labels, then `job`, `__scrape_interval__`, `__scrape_timeout__`, `__metrics_path__`, `__scheme__`
    /// and `__param_<name>` where not set, then `relabel_configs`; `__meta_*` labels are dropped
    /// afterwards and `instance` defaults to the address.
    public static func resolve(address: String, group: TargetGroup, config: ScrapeConfig) -> TargetResolution {
        var pairs: [String: String] = [:]
        for label in group.labels { pairs[label.name] = label.value }
        pairs["__address__"] = address
        let defaults: [(String, String)] = [
            ("job", config.jobName),
            (
                "__scrape_interval__",
                PrometheusDuration.format(milliseconds: PrometheusDuration.milliseconds(of: config.scrapeInterval))
            ),
            (
                "__scrape_timeout__",
                PrometheusDuration.format(milliseconds: PrometheusDuration.milliseconds(of: config.scrapeTimeout))
            ),
            ("__metrics_path__", config.metricsPath),
            ("__scheme__", config.scheme.rawValue),
        ]
        for (name, value) in defaults where (pairs[name] ?? "").isEmpty { pairs[name] = value }
        for (name, values) in config.params {
            if let first = values.first, (pairs["__param_" + name] ?? "").isEmpty { pairs["__param_" + name] = first }
        }
        let discovered = Labels(pairs.filter { !$0.value.isEmpty }.map { Label($0.key, $0.value) })
        var labels = discovered
        if !config.relabelConfigs.isEmpty {
            guard let relabelled = Relabeling.process(discovered, with: config.relabelConfigs), !relabelled.isEmpty
            else { return .dropped(discovered) }
            labels = relabelled
        }
        func invalid(_ message: String) -> TargetResolution { .invalid(discoveredLabels: discovered, message: message) }
        guard let address = labels["__address__"], !address.isEmpty else {
            return invalid("no __address__ label after relabelling: the target has no address to scrape")
        }
        if address.contains("/") {
            return invalid("\"\(address)\" is not a valid host:port address: it must not contain a path")
        }
        let intervalText = labels["__scrape_interval__"] ?? ""
        guard let interval = PrometheusDuration.milliseconds(intervalText) else {
            return invalid("error parsing scrape interval \"\(intervalText)\": not a duration such as 15s or 1m")
        }
        guard interval > 0 else { return invalid("scrape interval cannot be 0") }
        let timeoutText = labels["__scrape_timeout__"] ?? ""
        guard let timeout = PrometheusDuration.milliseconds(timeoutText) else {
            return invalid("error parsing scrape timeout \"\(timeoutText)\": not a duration such as 10s")
        }
        guard timeout > 0 else { return invalid("scrape timeout cannot be 0") }
        guard timeout <= interval else {
            return invalid(
                "scrape timeout cannot be greater than scrape interval (\"\(timeoutText)\" > \"\(intervalText)\")")
        }
        var finalPairs = labels.pairs.filter { !$0.name.hasPrefix("__meta_") }
        if (labels["instance"] ?? "").isEmpty { finalPairs.append(Label("instance", address)) }
        let all = Labels(finalPairs)
        let url = scrapeURL(labels: all, params: config.params)
        return .active(
            ScrapeTarget(
                scrapePool: config.jobName, discoveredLabels: discovered, allLabels: all,
                labels: Labels(all.pairs.filter { !$0.name.hasPrefix("__") }), scrapeURL: url,
                intervalMilliseconds: interval, timeoutMilliseconds: timeout))
    }

    /// `scheme://address/path?params`, the `__param_*` labels overriding the first value of each
    /// configured parameter, query keys sorted as Go's `url.Values.Encode` writes them.
    static func scrapeURL(labels: Labels, params: [String: [String]]) -> String {
        var query = params
        for label in labels where label.name.hasPrefix("__param_") {
            let name = String(label.name.dropFirst("__param_".count))
            if var values = query[name], !values.isEmpty {
                values[0] = label.value
                query[name] = values
            } else {
                query[name] = [label.value]
            }
        }
        var path = labels["__metrics_path__"] ?? "/metrics"
        if !path.hasPrefix("/") { path = "/" + path }
        var url = (labels["__scheme__"] ?? "http") + "://" + (labels["__address__"] ?? "") + path
        let encoded = query.keys.sorted().flatMap { key in
            query[key, default: []].map { queryEscape(key) + "=" + queryEscape($0) }
        }
        if !encoded.isEmpty { url += "?" + encoded.joined(separator: "&") }
        return url
    }

    /// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
