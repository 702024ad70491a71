/// A PromQL function's signature, as Prometheus 3.5's `parser.Functions` declares it.
public struct Function: Sendable, Hashable {
    public var name: String
    /// The argument types; with ``variadic`` the last one repeats.
    public var argTypes: [ValueType]
    /// 0: exactly `argTypes.count` arguments; n > 0: the last argument is optional and up to n of it may be
    /// given; -1: the last argument may repeat without limit.
    public var variadic: Int
    public var returnType: ValueType
    /// Behind `--enable-feature=promql-experimental-functions` in Prometheus.
    public var isExperimental: Bool
    /// Works on native histograms only: on float samples it returns nothing.
    public var isNativeHistogramFunction: Bool

    init(
        _ name: String, _ argTypes: [ValueType], variadic: Int = 0, returns returnType: ValueType = .vector,
        experimental: Bool = false, nativeHistogram: Bool = false
    ) {
        self.name = name
        self.argTypes = argTypes
        self.variadic = variadic
        self.returnType = returnType
        self.isExperimental = experimental
        self.isNativeHistogramFunction = nativeHistogram
    }

    /// The function called `name` (case-sensitive, as in Prometheus), or nil.
    public static func named(_ name: String) -> Function? { table[name] }

    /// Every function PromQL 3.5 knows, by name.
    public static var all: [Function] { table.values.sorted { $0.name < $1.name } }

    private static let table: [String: Function] = {
        let v = ValueType.vector
        let m = ValueType.matrix
        let s = ValueType.scalar
        let str = ValueType.string
        let functions: [Function] = [
            Function("abs", [v]),
            Function("absent", [v]),
            Function("absent_over_time", [m]),
            Function("acos", [v]), Function("acosh", [v]), Function("asin", [v]), Function("asinh", [v]),
            Function("atan", [v]), Function("atanh", [v]),
            Function("avg_over_time", [m]),
            Function("ceil", [v]),
            Function("changes", [m]),
            Function("clamp", [v, s, s]),
            Function("clamp_max", [v, s]),
            Function("clamp_min", [v, s]),
            Function("cos", [v]), Function("cosh", [v]),
            Function("count_over_time", [m]),
            Function("days_in_month", [v], variadic: 1),
            Function("day_of_month", [v], variadic: 1),
            Function("day_of_week", [v], variadic: 1),
            Function("day_of_year", [v], variadic: 1),
            Function("deg", [v]),
            Function("delta", [m]),
            Function("deriv", [m]),
            Function("double_exponential_smoothing", [m, s, s], experimental: true),
            Function("exp", [v]),
            Function("floor", [v]),
            Function("histogram_avg", [v], nativeHistogram: true),
            Function("histogram_count", [v], nativeHistogram: true),
            Function("histogram_fraction", [s, s, v], nativeHistogram: true),
            Function("histogram_quantile", [s, v]),
            Function("histogram_stddev", [v], nativeHistogram: true),
            Function("histogram_stdvar", [v], nativeHistogram: true),
            Function("histogram_sum", [v], nativeHistogram: true),
            Function("hour", [v], variadic: 1),
            Function("idelta", [m]),
            Function("increase", [m]),
            Function("info", [v, v], variadic: 1, experimental: true),
            Function("irate", [m]),
            Function("label_join", [v, str, str, str], variadic: -1),
            Function("label_replace", [v, str, str, str, str]),
            Function("last_over_time", [m]),
            Function("ln", [v]), Function("log10", [v]), Function("log2", [v]),
            Function("mad_over_time", [m], experimental: true),
            Function("max_over_time", [m]),
            Function("min_over_time", [m]),
            Function("minute", [v], variadic: 1),
            Function("month", [v], variadic: 1),
            Function("pi", [], returns: s),
            Function("predict_linear", [m, s]),
            Function("present_over_time", [m]),
            Function("quantile_over_time", [s, m]),
            Function("rad", [v]),
            Function("rate", [m]),
            Function("resets", [m]),
            Function("round", [v, s], variadic: 1),
            Function("scalar", [v], returns: s),
            Function("sgn", [v]),
            Function("sin", [v]), Function("sinh", [v]),
            Function("sort", [v]),
            Function("sort_by_label", [v, str], variadic: -1, experimental: true),
            Function("sort_by_label_desc", [v, str], variadic: -1, experimental: true),
            Function("sort_desc", [v]),
            Function("sqrt", [v]),
            Function("stddev_over_time", [m]),
            Function("stdvar_over_time", [m]),
            Function("sum_over_time", [m]),
            Function("tan", [v]), Function("tanh", [v]),
            Function("time", [], returns: s),
            Function("timestamp", [v]),
            Function("ts_of_last_over_time", [m], experimental: true),
            Function("ts_of_max_over_time", [m], experimental: true),
            Function("ts_of_min_over_time", [m], experimental: true),
            Function("vector", [s]),
            Function("year", [v], variadic: 1),
        ]
        return Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0) })
    }()
}
