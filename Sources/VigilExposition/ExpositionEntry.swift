public import VigilModel

/// One item of an exposition, in input order, as ``ExpositionParser/next()`` yields it.
public enum ExpositionEntry: Sendable, Equatable {
    /// A `# HELP` line, its text unescaped.
    case help(family: String, text: String)
    /// A `# TYPE` line; text format's `untyped` is ``MetricType/unknown``.
    case type(family: String, MetricType)
    /// An OpenMetrics `# UNIT` line.
    case unit(family: String, unit: String)
    case sample(MetricSample)
    /// A text-format comment line: the text after `#` and any blanks following it.
    case comment(String)
    /// OpenMetrics `# EOF`; nothing but one newline may follow it.
    case eof
}
