/// Something a collector could not read or parse. The metric it affects is skipped and the
/// collector's error counter goes up; the rest of the collection goes on.
public struct CollectorIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or directory) involved.
    public var path: String
    /// What went wrong, for a person: the line number and the offending text when a line is malformed.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
