import Synchronization
import VigilModel

/// Prometheus's rule templates (template/template.go): the data is {Labels, ExternalLabels, ExternalURL, Value}
/// and the text is prefixed with `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`.
///
/// Templates are parsed once per (name, text) and cached, so expanding the same annotation for many
/// alerts costs only the execution. As in Prometheus, error positions count the prefix (it is on line 1).
public struct RuleTemplateExpander: Sendable {
    public typealias QueryFunction =
        @Sendable (_ query: String, _ timeMilliseconds: Int64) throws -> [TemplateSample]

    /// The variables Prometheus defines before every rule template.
    public static let prefix =
        "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

    private let externalLabels: TemplateValue
    private let externalURL: String
    private let query: QueryFunction?
    private let functions: TemplateFunctions
    private let cache = TemplateCache()

    public init(externalLabels: Labels, externalURL: String, query: QueryFunction?) {
        self.externalLabels = TemplateValue(externalLabels)
        self.externalURL = externalURL
        self.query = query
        self.functions = .prometheus(externalURL: externalURL)
    }

    public func expand(
        name: String, text: String, labels: Labels, value: Double, at timeMilliseconds: Int64
    )
        throws(TemplateError) -> String
    {
        // Text without actions needs no template (most label values).
        if !text.contains("{{") { return text }
        let template = try cache.template(name: name, text: text, functions: functions)
        let data: TemplateValue = .map([
            "Labels": TemplateValue(labels), "ExternalLabels": externalLabels,
            "ExternalURL": .string(externalURL),
            "Value": .float(value),
        ])
        var overrides: [String: TemplateFunctions.Entry] = [:]
        if let query {
            overrides["query"] = TemplateFunctions.queryEntry { expression throws(TemplateError) in
                do {
                    return try query(expression, timeMilliseconds)
                } catch let error as TemplateError {
                    throw error
                } catch {
                    throw TemplateError("\(error)")
                }
            }
        }
        return try template.execute(data, template: nil, overriding: overrides)
    }

    /// What an alerting rule puts into an annotation: the expansion, or Prometheus's
    /// `<error expanding template: ...>` text when it fails.
    public func expandForAlert(
        name: String, text: String, labels: Labels, value: Double, at timeMilliseconds: Int64
    )
        -> String
    {
        do {
            return try expand(name: name, text: text, labels: labels, value: value, at: timeMilliseconds)
        } catch {
            let stage = error.code == .parse ? "error parsing template" : "error executing template"
            return "<error expanding template: \(stage) \(name): \(error)>"
        }
    }

    /// Parse only: what `vigil check rules` runs on every label and annotation template.
    public static func validate(name: String, text: String) throws(TemplateError) {
        _ = try Template(name: name, text: prefix + text, functions: validationFunctions)
    }

    private static let validationFunctions = TemplateFunctions.prometheus()
}

/// Parsed rule templates by name and text; bounded, cleared when full.
final class TemplateCache: Sendable {
    private struct Key: Hashable {
        var name: String
        var text: String
    }

    private let templates = Mutex<[Key: Result<Template, TemplateError>]>([:])
    static let capacity = 10_000

    func template(name: String, text: String, functions: TemplateFunctions) throws(TemplateError)
        -> Template
    {
        let key = Key(name: name, text: text)
        if let cached = templates.withLock({ $0[key] }) { return try cached.get() }
        let result: Result<Template, TemplateError>
        do {
            result = .success(
                try Template(name: name, text: RuleTemplateExpander.prefix + text, functions: functions))
        } catch {
            result = .failure(error)
        }
        templates.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = result
        }
        return try result.get()
    }
}
