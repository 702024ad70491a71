import VigilModel

/// The rules a series' label set must follow to be stored, shared by every storage implementation so
/// that each rejects the same input with the same message.
public struct SeriesLabelRules: Sendable, Equatable {
    public var maxLabelNameLength: Int?
    public var maxLabelValueLength: Int?
    public var requireMetricName: Bool

    public init(maxLabelNameLength: Int? = nil, maxLabelValueLength: Int? = nil, requireMetricName: Bool = true) {
        self.maxLabelNameLength = maxLabelNameLength
        self.maxLabelValueLength = maxLabelValueLength
        self.requireMetricName = requireMetricName
    }

    /// The label set as stored (labels with empty values dropped, as Prometheus does), or the reason it
    /// can't be: no labels, an empty or repeated name, a limit exceeded, no metric name.
    public func validate(_ labels: Labels) throws(StorageError) -> Labels {
        var labels = labels
        if labels.contains(where: { $0.value.isEmpty }) {
            labels = Labels(labels.filter { !$0.value.isEmpty })
        }
        if labels.isEmpty { throw .invalidLabels(labels, "a series needs at least one label") }
        var previous: String?
        for label in labels {
            if label.name.isEmpty {
                throw .invalidLabels(labels, "empty label name (with value \"\(escapeLabelValue(label.value))\")")
            }
            if label.name == previous {
                throw .invalidLabels(labels, "label name \"\(label.name)\" appears more than once")
            }
            previous = label.name
            if let limit = maxLabelNameLength, label.name.utf8.count > limit {
                throw StorageError(
                    .limitExceeded,
                    "label name \"\(label.name)\" of series \(labels) is \(label.name.utf8.count) bytes long, above the limit of \(limit)",
                    series: labels)
            }
            if let limit = maxLabelValueLength, label.value.utf8.count > limit {
                throw StorageError(
                    .limitExceeded,
                    "value of label \"\(label.name)\" of series \(labels) is \(label.value.utf8.count) bytes long, above the limit of \(limit)",
                    series: labels)
            }
        }
        if requireMetricName && labels.metricName == nil {
            throw .invalidLabels(labels, "no metric name (label \"\(metricNameLabel)\")")
        }
        return labels
    }
}
