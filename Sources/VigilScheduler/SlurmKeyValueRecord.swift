/// One record of `scontrol show job|node` text: its `Key=Value` fields in order, each with its position.
///
/// Reads both the one-line form (`scontrol -o`, one record a line) and the default form (a record
/// starts at an unindented line beginning with the record key, `JobId=` or `NodeName=`, and continues
/// on indented lines). Values hold spaces only under ``freeTextKeys`` (`Command=`, `WorkDir=`,
/// `Reason=`, `OS=`, …): there a word without a `Key=` prefix continues the value; anywhere else it is
/// an error with its line and column.
public struct SlurmKeyValueRecord: Sendable, Equatable {
    /// One `Key=Value` pair and where it starts (1-based line and column of the key).
    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
        public var column: Int
    }

    public var fields: [Field]

    /// The line the record starts on.
    public var line: Int { fields.first?.line ?? 0 }

    /// The first field with this key.
    public func field(_ key: String) -> Field? { fields.first { $0.key == key } }

    /// The first value of `key`, nil when the key is absent.
    public subscript(key: String) -> String? { field(key)?.value }

    /// Keys whose values Slurm prints unquoted with spaces in them.
    public static let freeTextKeys: Set<String> = [
        "Command", "WorkDir", "Comment", "AdminComment", "SystemComment", "Reason", "OS", "StdOut", "StdErr",
        "StdIn", "JobName", "Extra", "Features", "ActiveFeatures", "AvailableFeatures",
    ]

    /// Splits `text` into records that each start with `recordKey=`.
    ///
    /// - Throws: ``SchedulerError`` `malformed_text` for a word that is not `Key=Value` outside a free-text
    ///   value, or for text before the first `recordKey=`, with its line and column.
    public static func parse(_ text: String, recordKey: String) throws(SchedulerError) -> [SlurmKeyValueRecord] {
        var records: [SlurmKeyValueRecord] = []
        var current: [Field] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let words = Self.words(rawLine)
            guard let first = words.first else { continue }
            let startsRecord = first.column == 1 && first.text.hasPrefix("\(recordKey)=")
            if startsRecord {
                if !current.isEmpty { records.append(SlurmKeyValueRecord(fields: current)) }
                current = []
            } else if current.isEmpty {
                throw SchedulerError(
                    .malformedText,
                    "expected a record starting with \(recordKey)= (scontrol show output), found \"\(first.text.prefix(40))\"",
                    line: lineNumber, column: first.column)
            }
            for word in words {
                if let equals = word.text.firstIndex(of: "="), Self.isKey(word.text[..<equals]) {
                    current.append(
                        Field(
                            key: String(word.text[..<equals]),
                            value: String(word.text[word.text.index(after: equals)...]),
                            line: lineNumber, column: word.column))
                } else if let last = current.last, last.line == lineNumber, Self.freeTextKeys.contains(last.key) {
                    current[current.count - 1].value += " " + word.text
                } else {
                    throw SchedulerError(
                        .malformedText,
                        "\"\(word.text.prefix(40))\" is not Key=Value"
                            + (current.last.map { " (and \($0.key)= takes no spaces)" } ?? ""),
                        keyPath: current.last?.key ?? "", line: lineNumber, column: word.column)
                }
            }
        }
        if !current.isEmpty { records.append(SlurmKeyValueRecord(fields: current)) }
        return records
    }

    /// Words separated by spaces or tabs, with 1-based columns (in characters).
    static func words(_ line: Substring) -> [(text: Substring, column: Int)] {
        var words: [(Substring, Int)] = []
        var start: Substring.Index?
        var startColumn = 0
        var column = 0
        var index = line.startIndex
        while index < line.endIndex {
            column += 1
            let character = line[index]
            if character == " " || character == "\t" || character == "\r" {
                if let begun = start { words.append((line[begun..<index], startColumn)) }
                start = nil
            } else if start == nil {
                start = index
                startColumn = column
            }
            index = line.index(after: index)
        }
        if let begun = start { words.append((line[begun...], startColumn)) }
        return words
    }

    /// Slurm's keys: letters, digits, `_`, `:` and `/` (`AllocNode:Sid`, `CPUs/Task`).
    static func isKey(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" || $0 == "/" }
    }
}
