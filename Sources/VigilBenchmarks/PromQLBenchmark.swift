import VigilModel
import VigilPromQL
import VigilStorage
import VigilTSDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// The PromQL engine on the bench harness's GPU-cluster data set (`../shared/bench`), in memory.
///
/// ``makeDataSet(nodes:gpus:hours:)`` builds the shape of `gpucluster.py` into a TSDB ``Head`` with no
/// directory: N nodes × 8 GPUs × 20 DCGM metrics (gauges and counters, with dcgm-exporter's labels), 8
/// node_exporter-style series per node and a classic histogram (8 buckets, `_sum`, `_count`) per node, one
/// sample every 15 s over H hours. Values follow the same model (busy/idle 30-minute slots per node,
/// utilisation, temperature, power, framebuffer, XIDs, counters as running sums), driven by the same
/// hash, so the queries see the same kind of data as the harness's; they are not bit-for-bit equal.
///
/// ``run(dataSet:iterations:)`` then times the harness's 12 queries (`bench.py` `queries()`: the same
/// expressions, ranges and steps, ending at the last sample) and reports the median per query.
public enum PromQLBenchmark {
    /// One bench query: an instant query when `rangeSeconds` is nil, else a range query.
    public struct Query: Sendable {
        public var name: String
        public var expression: String
        public var rangeSeconds: Int64?
        public var stepSeconds: Int64
    }

    /// The data set and its extent.
    public struct DataSet: Sendable {
        /// A TSDB head without a directory, or (``makeDataSet(nodes:gpus:hours:startSeconds:blocksIn:)`` with a
        /// directory) a TSDB whose data has been cut into blocks and compacted.
        public var storage: any Storage
        public var nodes: Int
        public var series: Int
        public var samples: Int
        /// The first and last sample time, in seconds.
        public var startSeconds: Int64
        public var lastSeconds: Int64
    }

    /// One query's timings.
    public struct Figure: Sendable {
        public var query: Query
        public var medianMilliseconds: Double
        public var minMilliseconds: Double
        /// Series and points (samples) in the result, to tell a fast query from an empty one.
        public var resultSeries: Int
        public var resultPoints: Int
    }

    /// The first sample of the data set: 2026-01-01T00:00:00Z, aligned to the harness's 6 h chunks.
    public static let defaultStartSeconds: Int64 = 1_767_225_600
    static let stepSeconds: Int64 = 15
    static let slotSeconds: Int64 = 1800

    /// The 12 queries of `bench.py`, for a data set whose last sample is at `lastSeconds`.
    public static func queries(nodes: Int, lastSeconds: Int64) -> [Query] {
        let hour: Int64 = 3600
        let one = "DCGM_FI_DEV_GPU_UTIL{node=\"\(nodeName(min(7, nodes - 1)))\"}"
        func rq(_ name: String, _ e: String, _ range: Int64, _ step: Int64) -> Query {
            Query(name: name, expression: e, rangeSeconds: range, stepSeconds: step)
        }
        func iq(_ name: String, _ e: String) -> Query {
            Query(name: name, expression: e, rangeSeconds: nil, stepSeconds: 0)
        }
        return [
            rq("Q1", "avg by(node)(DCGM_FI_DEV_GPU_UTIL)", hour, 15),
            rq("Q2", "sum by(node)(rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[5m])) / 1000", hour, 15),
            rq("Q3", "max by(node)(DCGM_FI_DEV_GPU_TEMP)", 6 * hour, 60),
            iq("Q4", "quantile_over_time(0.95, DCGM_FI_DEV_POWER_USAGE[1h])"),
            iq("Q5", "topk(10, avg_over_time(DCGM_FI_DEV_GPU_UTIL[1h]))"),
            rq(
                "Q6", "histogram_quantile(0.99, sum by(le)(rate(inference_request_duration_seconds_bucket[5m])))",
                hour, 15),
            rq("Q7", "count(DCGM_FI_DEV_GPU_UTIL == 0)", 6 * hour, 60),
            rq(
                "Q8", "sum(DCGM_FI_DEV_FB_USED) / (sum(DCGM_FI_DEV_FB_USED) + sum(DCGM_FI_DEV_FB_FREE))",
                6 * hour, 60),
            rq("Q9", "avg by(node)(DCGM_FI_DEV_GPU_UTIL)", 24 * hour, 60),
            rq("Q10", "sum by(node)(rate(node_network_receive_bytes_total[5m]))", 24 * hour, 60),
            rq("Q11", one, 24 * hour, 60),
            iq("Q12", "max_over_time(DCGM_FI_DEV_XID_ERRORS[24h]) > 0"),
        ]
    }

    /// Times every query: one warm-up run, then `iterations` timed runs.
    public static func run(
        dataSet: DataSet, iterations: Int, engine: Engine = Engine(), only: Set<String>? = nil
    ) throws -> [Figure] {
        var figures: [Figure] = []
        for query in queries(nodes: dataSet.nodes, lastSeconds: dataSet.lastSeconds)
        where only?.contains(query.name) ?? true {
            var shape = (series: 0, points: 0)
            var times: [Double] = []
            for i in 0...max(1, iterations) {
                let clock = ContinuousClock()
                let started = clock.now
                let result = try evaluate(query, on: dataSet, engine: engine)
                let elapsed = clock.now - started
                if i == 0 {
                    shape = count(result.value)
                } else {
                    times.append(
                        Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
                }
            }
            times.sort()
            figures.append(
                Figure(
                    query: query, medianMilliseconds: times[times.count / 2], minMilliseconds: times[0],
                    resultSeries: shape.series, resultPoints: shape.points))
        }
        return figures
    }

    /// Runs one query as the harness does: a range query ends at the last sample rounded down to the step.
    public static func evaluate(_ query: Query, on dataSet: DataSet, engine: Engine = Engine()) throws -> QueryResult {
        guard let range = query.rangeSeconds else {
            return try engine.instantQuery(query.expression, at: dataSet.lastSeconds * 1000, on: dataSet.storage)
        }
        let end = dataSet.lastSeconds / query.stepSeconds * query.stepSeconds
        return try engine.rangeQuery(
            query.expression, start: (end - range) * 1000, end: end * 1000, step: query.stepSeconds * 1000,
            on: dataSet.storage)
    }

    private static func count(_ value: QueryValue) -> (series: Int, points: Int) {
        switch value {
        case .scalar, .string: (1, 1)
        case .vector(let v): (v.count, v.count)
        case .matrix(let m): (m.count, m.reduce(0) { $0 + $1.samples.count })
        }
    }

    // MARK: - The data set

    static func nodeName(_ n: Int) -> String { n < 10 ? "node-0\(n)" : "node-\(n)" }

    /// Builds the data set (see the type's documentation) into a head without a directory, or, with
    /// `blocksIn`, into a TSDB in that directory whose head is then cut into 2 h blocks and compacted (6 h, 24 h
    /// blocks), as `vigil server` holds imported data: queries then read block chunks (packed), not the head's.
    public static func makeDataSet(
        nodes: Int, gpus: Int = 8, hours: Int, startSeconds: Int64 = defaultStartSeconds,
        blocksIn directory: String? = nil
    ) throws -> DataSet {
        let tsdb = try directory.map { directory throws in
            try TSDB.open(directory: directory, options: TSDB.Options(retention: nil))
        }
        let head: any Storage = tsdb ?? Head()
        let model = ClusterModel(nodes: nodes, gpus: gpus)
        let firstIndex = startSeconds / stepSeconds
        let count = Int(Int64(hours) * 3600 / stepSeconds)
        var values = [Double](repeating: 0, count: count)
        var seriesCount = 0
        for (ordinal, series) in model.series.enumerated() {
            model.fill(series, ordinal: ordinal, firstIndex: firstIndex, into: &values)
            let appender = head.appender()
            var ref: SeriesRef?
            for (k, value) in values.enumerated() {
                let t = (firstIndex + Int64(k)) * stepSeconds * 1000
                if let ref {
                    try appender.append(ref, timestamp: t, value: value)
                } else {
                    ref = try appender.append(series.labels, timestamp: t, value: value)
                }
            }
            try appender.commit()
            seriesCount += 1
        }
        if let tsdb {
            // Everything older than the last 3 h goes into blocks; the rest stays in the head, as on a server.
            try tsdb.compact()
        }
        return DataSet(
            storage: head, nodes: nodes, series: seriesCount, samples: seriesCount * count,
            startSeconds: startSeconds, lastSeconds: startSeconds + Int64(count - 1) * stepSeconds)
    }
}

/// `gpucluster.py`'s model, one series at a time.
struct ClusterModel {
    enum Kind {
        case gauge(String)
        case counter(String)
        case node(String)
        case bucket(Double)
        case histogramSum
        case histogramCount
    }

    struct Series {
        var labels: Labels
        var kind: Kind
        var node: Int
        /// The GPU's index in the fleet (node × GPUs + GPU); 0 for node series.
        var gpu: Int
    }

    static let model = "NVIDIA H100 80GB HBM3"
    static let framebufferMiB = 81559.0
    static let dcgm: [(name: String, counter: Bool)] = [
        ("DCGM_FI_DEV_SM_CLOCK", false), ("DCGM_FI_DEV_MEM_CLOCK", false), ("DCGM_FI_DEV_MEMORY_TEMP", false),
        ("DCGM_FI_DEV_GPU_TEMP", false), ("DCGM_FI_DEV_POWER_USAGE", false),
        ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", true), ("DCGM_FI_DEV_PCIE_TX_THROUGHPUT", true),
        ("DCGM_FI_DEV_PCIE_RX_THROUGHPUT", true), ("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", true),
        ("DCGM_FI_DEV_GPU_UTIL", false), ("DCGM_FI_DEV_MEM_COPY_UTIL", false), ("DCGM_FI_DEV_ENC_UTIL", false),
        ("DCGM_FI_DEV_DEC_UTIL", false), ("DCGM_FI_DEV_XID_ERRORS", false), ("DCGM_FI_DEV_FB_FREE", false),
        ("DCGM_FI_DEV_FB_USED", false), ("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", true),
        ("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", true), ("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", false),
        ("DCGM_FI_DEV_ROW_REMAP_FAILURE", false),
    ]
    static let nodeSeries: [(name: String, extra: (String, String)?, counter: Bool)] = [
        ("node_load1", nil, false), ("node_memory_MemAvailable_bytes", nil, false),
        ("node_cpu_seconds_total", ("mode", "idle"), true), ("node_cpu_seconds_total", ("mode", "user"), true),
        ("node_cpu_seconds_total", ("mode", "system"), true), ("node_cpu_seconds_total", ("mode", "iowait"), true),
        ("node_network_receive_bytes_total", ("device", "ib0"), true),
        ("node_network_transmit_bytes_total", ("device", "ib0"), true),
    ]
    static let bucketBounds: [(label: String, bound: Double)] = [
        ("0.1", 0.1), ("0.25", 0.25), ("0.5", 0.5), ("1", 1), ("2.5", 2.5), ("5", 5), ("10", 10), ("+Inf", .infinity),
    ]
    static let histogram = "inference_request_duration_seconds"

    let nodes: Int
    let gpus: Int
    let series: [Series]

    init(nodes: Int, gpus: Int) {
        self.nodes = nodes
        self.gpus = gpus
        var series: [Series] = []
        for (name, counter) in Self.dcgm {
            for n in 0..<nodes {
                for g in 0..<gpus {
                    let node = PromQLBenchmark.nodeName(n)
                    let labels: Labels = [
                        metricNameLabel: name, "job": "dcgm", "instance": "\(node):9400", "node": node, "gpu": "\(g)",
                        "UUID": Self.uuid(node: n, gpu: g), "modelName": Self.model,
                    ]
                    series.append(
                        Series(
                            labels: labels, kind: counter ? .counter(name) : .gauge(name), node: n, gpu: n * gpus + g))
                }
            }
        }
        for (name, extra, _) in Self.nodeSeries {
            for n in 0..<nodes {
                let node = PromQLBenchmark.nodeName(n)
                var labels = [
                    Label(metricNameLabel, name), Label("job", "node"), Label("instance", "\(node):9100"),
                    Label("node", node),
                ]
                if let extra { labels.append(Label(extra.0, extra.1)) }
                let key = extra.map { "\(name)/\($0.1)" } ?? name
                series.append(Series(labels: Labels(labels), kind: .node(key), node: n, gpu: 0))
            }
        }
        for n in 0..<nodes {
            let node = PromQLBenchmark.nodeName(n)
            let base = [Label("job", "inference"), Label("instance", "\(node):8000"), Label("node", node)]
            for (label, bound) in Self.bucketBounds {
                let labels = Labels(base + [Label(metricNameLabel, Self.histogram + "_bucket"), Label("le", label)])
                series.append(Series(labels: labels, kind: .bucket(bound), node: n, gpu: 0))
            }
            series.append(
                Series(
                    labels: Labels(base + [Label(metricNameLabel, Self.histogram + "_sum")]), kind: .histogramSum,
                    node: n, gpu: 0))
            series.append(
                Series(
                    labels: Labels(base + [Label(metricNameLabel, Self.histogram + "_count")]),
                    kind: .histogramCount, node: n, gpu: 0))
        }
        self.series = series
    }

    // MARK: Hashing (gpucluster.py's splitmix-style u01)

    static func mix(_ x: UInt64) -> UInt64 {
        var x = x
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    static func u01(_ keys: Int64...) -> Double {
        var h: UInt64 = 0x1234_5678_8765_4321
        for k in keys { h = mix(h ^ (UInt64(bitPattern: k) &+ 0x9E37_79B9_7F4A_7C15)) }
        return Double(h >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    static func uuid(node: Int, gpu: Int) -> String {
        let h = mix(UInt64(node * 1000 + gpu + 77))
        let h2 = mix(h)
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        let s = Array(hex(h) + hex(h2))
        return
            "GPU-\(String(s[0..<8]))-\(String(s[8..<12]))-\(String(s[12..<16]))-\(String(s[16..<20]))-\(String(s[20..<32]))"
    }

    static func round(_ v: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (v * scale).rounded(.toNearestOrEven) / scale
    }

    // MARK: Values

    struct NodeState {
        var busy: Bool
        var level: Double
        var previousBusy: Bool
        var previousLevel: Double
        var footprint: Double
        var sinceSlotStart: Double
    }

    func nodeState(_ n: Int, index: Int64) -> NodeState {
        let t = index * PromQLBenchmark.stepSeconds
        let slot = t / PromQLBenchmark.slotSeconds
        let node = Int64(n)
        return NodeState(
            busy: Self.u01(node, slot, 1) < 0.8, level: 82 + 16 * Self.u01(node, slot, 2),
            previousBusy: Self.u01(node, slot - 1, 1) < 0.8, previousLevel: 82 + 16 * Self.u01(node, slot - 1, 2),
            footprint: 40000 + 38000 * Self.u01(node, slot, 3),
            sinceSlotStart: Double(t % PromQLBenchmark.slotSeconds))
    }

    func utilisation(_ s: NodeState, gpu: Int64, index i: Int64) -> Double {
        guard s.busy else { return 0 }
        if Self.u01(gpu, i, 14) < 0.03 { return (20 + 20 * Self.u01(gpu, i, 13)).rounded(.toNearestOrEven) }
        let r1 = Self.u01(gpu, i, 11)
        let r2 = Self.u01(gpu, i, 12)
        return min(100, max(0, (s.level + 8 * (r1 - 0.5) + 4 * (r2 - 0.5)).rounded(.toNearestOrEven)))
    }

    func power(_ s: NodeState, gpu: Int64, index i: Int64) -> Double {
        let r1 = Self.u01(gpu, i, 11)
        let r2 = Self.u01(gpu, i, 12)
        let p = s.busy ? 120 + 5.6 * utilisation(s, gpu: gpu, index: i) + 15 * (r2 - 0.5) : 68 + 4 * r1
        return Self.round(p, 3)
    }

    /// A gauge's value, or a counter's increment, at sample index `i`.
    func value(_ series: Series, index i: Int64) -> Double {
        let s = nodeState(series.node, index: i)
        let g = Int64(series.gpu)
        let slot = i * PromQLBenchmark.stepSeconds / PromQLBenchmark.slotSeconds
        switch series.kind {
        case .gauge(let name), .counter(let name):
            let r1 = Self.u01(g, i, 11)
            let r2 = Self.u01(g, i, 12)
            let r3 = Self.u01(g, i, 13)
            switch name {
            case "DCGM_FI_DEV_SM_CLOCK": return s.busy ? min(1980, 1755 + 15 * (16 * r3).rounded(.down)) : 345
            case "DCGM_FI_DEV_MEM_CLOCK": return 2619
            case "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_MEMORY_TEMP":
                let offset = (4 * Self.u01(g, 21)).rounded(.toNearestOrEven)
                func target(_ busy: Bool, _ level: Double) -> Double { (busy ? 58 + 0.2 * level : 33) + offset }
                let from = target(s.previousBusy, s.previousLevel)
                let fraction = 1 - exp(-s.sinceSlotStart / 240)
                let temp = (from + (target(s.busy, s.level) - from) * fraction + 1.2 * (r3 - 0.5))
                    .rounded(.toNearestOrEven)
                return name == "DCGM_FI_DEV_GPU_TEMP" ? temp : temp + 4 + (2 * (r1 - 0.5)).rounded(.toNearestOrEven)
            case "DCGM_FI_DEV_POWER_USAGE": return power(s, gpu: g, index: i)
            case "DCGM_FI_DEV_GPU_UTIL": return utilisation(s, gpu: g, index: i)
            case "DCGM_FI_DEV_MEM_COPY_UTIL":
                guard s.busy else { return 0 }
                return min(100, max(0, (0.45 * utilisation(s, gpu: g, index: i) + 6 * (r2 - 0.5)).rounded()))
            case "DCGM_FI_DEV_XID_ERRORS":
                guard Self.u01(g, slot, 31) < 0.003 else { return 0 }
                return Self.u01(g, slot, 32) < 0.5 ? 79 : 31
            case "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE":
                let used = s.busy ? (s.footprint + 300 * Self.u01(g, slot, 33)).rounded(.toNearestOrEven) : 0
                return name == "DCGM_FI_DEV_FB_USED" ? used : Self.framebufferMiB - 530 - used
            case "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS": return (3 * pow(Self.u01(g, 41), 4)).rounded(.down)
            case "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION":
                return (power(s, gpu: g, index: i) * Double(PromQLBenchmark.stepSeconds) * 1000).rounded()
            case "DCGM_FI_DEV_PCIE_TX_THROUGHPUT": return (s.busy ? 1.5e7 + 4e7 * r1 : 2e3 * r2).rounded()
            case "DCGM_FI_DEV_PCIE_RX_THROUGHPUT": return (s.busy ? 2.5e7 + 5e7 * r2 : 3e3 * r1).rounded()
            case "DCGM_FI_DEV_PCIE_REPLAY_COUNTER": return Self.u01(g, i, 51) < 2e-4 ? 1 : 0
            case "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL": return s.busy ? (3e9 + 2e9 * r3).rounded() : 0
            default: return 0
            }
        case .node(let key):
            let n = Int64(series.node)
            let q1 = Self.u01(n, i, 61)
            let q2 = Self.u01(n, i, 62)
            let cpus = 128 * Double(PromQLBenchmark.stepSeconds)
            let user = Self.round(cpus * (s.busy ? 0.30 + 0.1 * q1 : 0.01 * q1), 2)
            let system = Self.round(cpus * (s.busy ? 0.05 + 0.02 * q2 : 0.004 * q2), 2)
            let iowait = Self.round(cpus * (s.busy ? 0.01 * q1 * q2 : 0), 2)
            switch key {
            case "node_load1": return Self.round(s.busy ? 8 + 4 * q1 : 0.3 + 0.5 * q1, 2)
            case "node_memory_MemAvailable_bytes":
                return 2_199_023_255_552 - 4096 * (s.busy ? 1.8e8 + 4e7 * q2 : 1e7 + 1e6 * q2).rounded()
            case "node_cpu_seconds_total/idle": return Self.round(cpus - user - system - iowait, 2)
            case "node_cpu_seconds_total/user": return user
            case "node_cpu_seconds_total/system": return system
            case "node_cpu_seconds_total/iowait": return iowait
            case "node_network_receive_bytes_total/ib0": return (s.busy ? 4e10 + 3e10 * q1 : 1e6 * q2).rounded()
            default: return (s.busy ? 4e10 + 3e10 * q2 : 1e6 * q1).rounded()
            }
        case .bucket, .histogramSum, .histogramCount:
            let n = Int64(series.node)
            let q1 = Self.u01(n, i, 61)
            let q2 = Self.u01(n, i, 62)
            let requests = (s.busy ? 250 + 100 * q1 : 5 * q2).rounded()
            let mu = s.busy ? log(0.4) + 0.6 * (s.level - 82) / 16 : log(0.2)
            let sigma = 0.8
            switch series.kind {
            case .bucket(let bound):
                let cdf = bound.isInfinite ? 1 : 0.5 * (1 + erf((log(bound) - mu) / (sigma * 2.0.squareRoot())))
                return (requests * cdf).rounded()
            case .histogramSum: return Self.round(requests * exp(mu + sigma * sigma / 2), 3)
            default: return requests
            }
        }
    }

    var isCounterKind: (Series) -> Bool {
        { series in
            switch series.kind {
            case .counter: true
            case .node(let key): key.contains("_total")
            case .bucket, .histogramSum, .histogramCount: true
            case .gauge: false
            }
        }
    }

    /// The series' samples from sample index `firstIndex` on; counters start at a per-series offset (DCGM)
    /// or zero (node and histogram series) and add each sample's increment.
    func fill(_ series: Series, ordinal: Int, firstIndex: Int64, into values: inout [Double]) {
        let counter = isCounterKind(series)
        var total = 0.0
        if counter, case .counter = series.kind { total = (1e9 * Self.u01(Int64(ordinal), 99)).rounded(.down) }
        for k in values.indices {
            let v = value(series, index: firstIndex + Int64(k))
            if counter {
                total += v
                values[k] = total
            } else {
                values[k] = v
            }
        }
    }
}
