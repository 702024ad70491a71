/// An ordered collection of metric families that collectors append samples to by family name.
///
/// The first `add` for a name creates the family with its type and help; later ones append samples.
public struct MetricSet: Sendable {
    public private(set) var families: [MetricFamily] = []
    private var indexByName: [String: Int] = [:]

    public init() {}

    public init(_ families: [MetricFamily]) {
        for family in families { append(family) }
    }

    /// Appends one sample to the family `name`, creating the family on first use.
    public mutating func add(
        _ name: String, _ type: MetricType, help: String, unit: String = "",
        labels: Labels = Labels(), value: Double, timestampMs: Int64? = nil
    ) {
        let index = familyIndex(name, type, help: help, unit: unit)
        families[index].samples.append(MetricSample(name: name, labels: labels, value: value, timestampMs: timestampMs))
    }

    /// Shorthand for a gauge sample.
    public mutating func gauge(_ name: String, help: String, labels: Labels = Labels(), value: Double) {
        add(name, .gauge, help: help, labels: labels, value: value)
    }

    /// Shorthand for a counter sample; `name` carries the `_total` suffix, as node_exporter's names do.
    public mutating func counter(_ name: String, help: String, labels: Labels = Labels(), value: Double) {
        add(name, .counter, help: help, labels: labels, value: value)
    }

    /// Appends a whole family, merging its samples into an existing family of the same name.
    public mutating func append(_ family: MetricFamily) {
        if let index = indexByName[family.name] {
            families[index].samples.append(contentsOf: family.samples)
        } else {
            indexByName[family.name] = families.count
            families.append(family)
        }
    }

    /// Appends every family of `other`, in order.
    public mutating func append(contentsOf other: MetricSet) {
        for family in other.families { append(family) }
    }

    public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }

    private mutating func familyIndex(_ name: String, _ type: MetricType, help: String, unit: String) -> Int {
        if let index = indexByName[name] { return index }
        indexByName[name] = families.count
        families.append(MetricFamily(name: name, type: type, help: help, unit: unit))
        return families.count - 1
    }
}
