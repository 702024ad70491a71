/// The functions a template may call, by name: Go's builtins, plus those a caller adds (Prometheus's
/// rule functions, Alertmanager's notification functions).
///
/// A function receives its evaluated arguments, the piped value last, and returns a value or throws a
/// ``TemplateError`` made with ``TemplateError/init(_:)``; the executor reports it as Go does:
/// `error calling NAME: MESSAGE` at the command's position.
public struct TemplateFunctions: Sendable {
    public typealias Function = @Sendable ([TemplateValue]) throws(TemplateError) -> TemplateValue

    /// How many arguments a function takes; the executor checks it before the call.
    public enum Arity: Sendable, Hashable {
        case exactly(Int)
        case atLeast(Int)
    }

    struct Entry: Sendable {
        var arity: Arity?
        var body: Function
        /// Go's `and` / `or` evaluate their arguments lazily.
        var shortCircuit: ShortCircuit?

        init(arity: Arity?, body: @escaping Function, shortCircuit: ShortCircuit? = nil) {
            self.arity = arity
            self.body = body
            self.shortCircuit = shortCircuit
        }
    }

    enum ShortCircuit: Sendable { case and, or }

    var entries: [String: Entry]
    /// Argument-less methods of lists and maps, reached as fields (`.Alerts.Firing`,
    /// `.CommonLabels.SortedPairs`): Go's methods on the data types of Alertmanager's template data.
    /// A map's own key of the same name wins.
    var listMethods: [String: @Sendable ([TemplateValue]) -> TemplateValue] = [:]
    var mapMethods: [String: @Sendable ([String: TemplateValue]) -> TemplateValue] = [:]
    /// Methods of maps that take arguments (`.CommonLabels.Remove .GroupLabels.Names`).
    var mapMethodsWithArguments:
        [String: @Sendable ([String: TemplateValue], [TemplateValue]) throws(TemplateError) -> TemplateValue] = [:]

    init(entries: [String: Entry]) {
        self.entries = entries
    }

    /// A set where `.name` on a list value calls `method` (an argument-less Go method of a slice type).
    public func addingListMethod(
        _ name: String, _ method: @escaping @Sendable ([TemplateValue]) -> TemplateValue
    ) -> TemplateFunctions {
        var copy = self
        copy.listMethods[name] = method
        return copy
    }

    /// A set where `.name` on a map value without that key calls `method` (an argument-less Go method
    /// of a map type).
    public func addingMapMethod(
        _ name: String, _ method: @escaping @Sendable ([String: TemplateValue]) -> TemplateValue
    ) -> TemplateFunctions {
        var copy = self
        copy.mapMethods[name] = method
        return copy
    }

    /// A set with `function` added under `name` (replacing one of the same name); the function checks
    /// its own arguments.
    public func adding(
        _ name: String,
        _ function: @escaping @Sendable ([TemplateValue]) throws(TemplateError) -> TemplateValue
    ) -> TemplateFunctions {
        var copy = self
        copy.entries[name] = Entry(arity: nil, body: function, shortCircuit: nil)
        return copy
    }

    /// A set with `function` added under `name`; the executor checks the argument count first
    /// (`wrong number of args for NAME: want 1 got 2`).
    public func adding(
        _ name: String, arity: Arity,
        _ function: @escaping @Sendable ([TemplateValue]) throws(TemplateError) -> TemplateValue
    ) -> TemplateFunctions {
        var copy = self
        copy.entries[name] = Entry(arity: arity, body: function, shortCircuit: nil)
        return copy
    }

    /// A set where `.name ARG...` on a map value calls `method` with the map and the arguments (a Go
    /// method with parameters, such as Alertmanager's `KV.Remove`).
    public func addingMapMethod(
        _ name: String,
        withArguments method:
            @escaping @Sendable ([String: TemplateValue], [TemplateValue]) throws(TemplateError) -> TemplateValue
    ) -> TemplateFunctions {
        var copy = self
        copy.mapMethodsWithArguments[name] = method
        return copy
    }

    /// Whether a function of that name exists.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The names of all functions, sorted.
    public var names: [String] { entries.keys.sorted() }
}
