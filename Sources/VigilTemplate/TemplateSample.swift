import VigilModel

/// One sample of a query's result as rule templates see it (Prometheus's `sample`): `.Labels` and `.Value`.
public struct TemplateSample: Sendable, Hashable {
    public var labels: Labels
    public var value: Double

    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    /// The template value: a map with `Labels` (a map of strings) and `Value` (a float).
    public var templateValue: TemplateValue {
        .map(["Labels": TemplateValue(labels), "Value": .float(value)])
    }
}

extension TemplateValue {
    /// Labels as Go's `map[string]string`.
    public init(_ labels: Labels) {
        var map: [String: TemplateValue] = [:]
        map.reserveCapacity(labels.count)
        for label in labels { map[label.name] = .string(label.value) }
        self = .map(map)
    }
}
