/// A value a template works on: Go's `interface{}` as text/template sees it.
///
/// Maps stand for both Go maps and Go structs (`.Labels`, `.Alerts.Firing`). A map whose values are all
/// strings behaves as Go's `map[string]string` (Prometheus's labels, Alertmanager's `KV`): a missing key
/// is "". Any other map behaves as `map[string]interface{}`: a missing key is nil, printed `<no value>`.
public indirect enum TemplateValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([TemplateValue])
    /// Go ranges over map keys in sorted order.
    case map([String: TemplateValue])
}

extension TemplateValue {
    /// Go's truth for `if`, `with`, `and`, `or`, `not`: false, 0, "", empty lists and maps and nil are false.
    public var isTrue: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .int(let value): value != 0
        case .float(let value): value != 0
        case .string(let value): !value.isEmpty
        case .list(let value): !value.isEmpty
        case .map(let value): !value.isEmpty
        }
    }

    /// The Go type name used in error messages (`float64`, `map[string]string`, ...).
    public var goTypeName: String {
        switch self {
        case .null: "<nil>"
        case .bool: "bool"
        case .int: "int"
        case .float: "float64"
        case .string: "string"
        case .list: "[]interface {}"
        case .map(let map): Self.isStringMap(map) ? "map[string]string" : "map[string]interface {}"
        }
    }

    /// A map of strings only is Go's `map[string]string`.
    static func isStringMap(_ map: [String: TemplateValue]) -> Bool {
        map.values.allSatisfy { if case .string = $0 { true } else { false } }
    }

    /// The string, for functions that take one.
    var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
