import VigilModel

/// One line of a ``TimeSeriesChart``: a label set and its samples (sorted by timestamp; NaN is a break).
public struct ChartSeries: Sendable, Hashable {
    public var labels: Labels
    /// The legend text; nil shows the label set as PromQL writes it (`metric{a="1"}`).
    public var name: String?
    public var samples: [Sample]

    public init(labels: Labels, name: String? = nil, samples: [Sample]) {
        self.labels = labels
        self.name = name
        self.samples = samples
    }

    /// The text the legend and tooltips show for this series.
    public var displayName: String {
        if let name { return name }
        let metric = labels.metricName ?? ""
        let rest = labels.removing(metricNameLabel)
        if rest.isEmpty { return metric.isEmpty ? "{}" : metric }
        return metric + rest.description
    }
}
