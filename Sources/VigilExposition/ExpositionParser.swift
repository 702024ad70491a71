import VigilModel

/// A streaming parser for Prometheus text format 0.0.4 and OpenMetrics 1.0 text.
///
/// Call ``next()`` until it returns nil; each call yields the next ``ExpositionEntry`` in input order. The
/// first error ends the stream: it is thrown again by every later call. ``parseFamilies()`` groups the
/// entries into ``MetricFamily`` values instead.
///
/// The parser is reusable: ``reset(bytes:format:)`` starts a new input but keeps the tables that turn
/// repeated names and label values into shared `String`s, so scraping the same target again allocates little.
/// See `docs/format/exposition.md` for exactly what each format accepts.
public struct ExpositionParser: Sendable {
    public private(set) var format: ExpositionFormat

    private var input: [UInt8]
    /// Where the next unread line starts.
    private var offset = 0
    /// The 1-based number of the line being parsed (0 before the first).
    private var lineNumber = 0
    /// Where the line being parsed starts, for error columns.
    private var lineStart = 0
    private var sawEOF = false
    private var finished = false
    private var failure: ExpositionError?

    /// Metric and label names; never emptied mid-input, so their ids stay valid for duplicate detection.
    private var names = StringInterner(entryLimit: .max)
    /// Label values; emptied when full, since high-cardinality values need not stay.
    private var values = StringInterner(entryLimit: 1 << 16)
    /// The names-table id of `__name__`, which names the metric when it appears as a label.
    private var metricNameLabelID: Int32 = -1
    private var labels: [Label] = []
    private var labelNameIDs: [Int32] = []
    private var unescaped: [UInt8] = []

    /// What has been seen of each family, for the rules on repeated metadata and interleaving.
    private var families: [String: FamilyRecord] = [:]
    /// The family that samples currently belong to; its record lives in ``currentRecord`` until another
    /// family starts.
    private var currentFamily: String?
    private var currentRecord = FamilyRecord()
    /// The name id of the last sample known to belong to ``currentFamily``.
    private var lastSampleNameID: Int32 = -1

    private struct FamilyRecord: Sendable {
        var type = MetricType.unknown
        var hasHelp = false
        var hasType = false
        var hasUnit = false
        var hasSamples = false
    }

    private enum Metadata {
        case help, type(MetricType), unit
    }

    private enum QuotedRole {
        case name, labelValue
    }

    public init(bytes: [UInt8], format: ExpositionFormat) {
        self.input = bytes
        self.format = format
        labels.reserveCapacity(16)
        labelNameIDs.reserveCapacity(16)
        internMetricNameLabel()
    }

    private mutating func internMetricNameLabel() {
        var name = metricNameLabel
        metricNameLabelID = name.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return -1 }
            return internName(start, count: bytes.count).id
        }
    }

    /// Starts parsing `bytes` from the beginning, keeping the interned names and values of earlier inputs.
    public mutating func reset(bytes: [UInt8], format: ExpositionFormat) {
        input = bytes
        self.format = format
        offset = 0
        lineNumber = 0
        lineStart = 0
        sawEOF = false
        finished = false
        failure = nil
        families.removeAll(keepingCapacity: true)
        currentFamily = nil
        currentRecord = FamilyRecord()
        lastSampleNameID = -1
        if names.count > 1 << 16 {
            names.removeAll()
            internMetricNameLabel()
        }
    }

    /// The next entry, or nil at the end of the input.
    public mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        if let failure { throw failure }
        if finished { return nil }
        let input = self.input
        do {
            return try input.withUnsafeBufferPointer { (buffer) throws(ExpositionError) -> ExpositionEntry? in
                try self.nextEntry(buffer)
            }
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - Lines

    private mutating func nextEntry(_ buffer: UnsafeBufferPointer<UInt8>) throws(ExpositionError) -> ExpositionEntry? {
        let count = buffer.count
        guard let base = buffer.baseAddress else { return try finish() }
        while offset < count {
            if sawEOF {
                throw ExpositionError(
                    code: .endOfInput, line: lineNumber + 1, column: 1,
                    message: "unexpected data after # EOF: only a single newline may follow it")
            }
            lineNumber += 1
            lineStart = offset
            let lineEnd = Self.newlineIndex(base, from: offset, to: count)
            if lineEnd == count {
                offset = count
                if format == .openMetrics && Self.isEOFLine(base, lineStart, lineEnd) {
                    sawEOF = true
                    return .eof
                }
                let message =
                    format == .text
                    ? "unexpected end of input: the last line must end with a newline"
                    : "unexpected end of input in the middle of a line; an OpenMetrics exposition ends with # EOF"
                throw error(.endOfInput, at: lineEnd, message)
            }
            offset = lineEnd + 1
            if let entry = try parseLine(base, lineStart, lineEnd) { return entry }
        }
        return try finish()
    }

    private mutating func finish() throws(ExpositionError) -> ExpositionEntry? {
        if format == .openMetrics && !sawEOF {
            throw ExpositionError(
                code: .endOfInput, line: lineNumber + 1, column: 1, message: "expected # EOF at end of input")
        }
        finished = true
        return nil
    }

    private mutating func parseLine(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(ExpositionError) -> ExpositionEntry? {
        if end > start && base[end - 1] == ExpositionSyntax.carriageReturn {
            throw error(
                .syntax, at: end - 1,
                "carriage return at end of line: lines must end with \\n alone (CRLF line endings are not supported)")
        }
        var position = start
        switch format {
        case .text:
            Self.skipBlanks(base, &position, end)
            if position == end { return nil }
            if base[position] == ExpositionSyntax.hash { return try parseTextHashLine(base, position, end) }
        case .openMetrics:
            if position == end {
                throw error(.syntax, at: position, "empty line: OpenMetrics does not allow blank lines")
            }
            if base[position] == ExpositionSyntax.hash { return try parseOpenMetricsHashLine(base, position, end) }
        }
        return .sample(try parseSample(base, position, end))
    }

    /// `# HELP`, `# TYPE` or a comment, in the text format's lenient spacing.
    private mutating func parseTextHashLine(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(ExpositionError) -> ExpositionEntry? {
        var position = start + 1
        Self.skipBlanks(base, &position, end)
        let keywordStart = position
        while position < end && !ExpositionSyntax.isBlank(base[position]) { position += 1 }
        let keyword = UnsafeBufferPointer(start: base + keywordStart, count: position - keywordStart)
        let isHelp = keyword.elementsEqual("HELP".utf8)
        let isType = !isHelp && keyword.elementsEqual("TYPE".utf8)
        Self.skipBlanks(base, &position, end)
        guard isHelp || isType, position < end else {
            let text = UnsafeBufferPointer(start: base + keywordStart, count: end - keywordStart)
            return .comment(String(decoding: text, as: UTF8.self))
        }
        let nameStart = position
        let family = try parseMetadataName(base, &position, end)
        if position < end && !ExpositionSyntax.isBlank(base[position]) {
            throw invalidCharacterInMetricName(base, position, family)
        }
        Self.skipBlanks(base, &position, end)
        if isHelp {
            let text = try parseHelpText(base, position, end)
            try noteMetadata(.help, family: family, at: nameStart)
            return .help(family: family, text: text)
        }
        guard position < end else {
            throw error(
                .invalidMetadata, at: position,
                "expected a metric type after \(ExpositionSyntax.quote(family)) in TYPE line")
        }
        let typeStart = position
        while position < end && !ExpositionSyntax.isBlank(base[position]) { position += 1 }
        let typeName = String(
            decoding: UnsafeBufferPointer(start: base + typeStart, count: position - typeStart), as: UTF8.self)
        guard let type = MetricType(textTypeName: typeName) else {
            throw error(
                .invalidMetadata, at: typeStart,
                "invalid metric type \(ExpositionSyntax.quote(typeName)); the text format allows counter, gauge, "
                    + "histogram, summary and untyped")
        }
        Self.skipBlanks(base, &position, end)
        guard position == end else { throw error(.syntax, at: position, "unexpected text after the metric type") }
        try noteMetadata(.type(type), family: family, at: nameStart)
        return .type(family: family, type)
    }

    /// `# HELP`, `# TYPE`, `# UNIT` or `# EOF`, each with exactly one space between fields.
    private mutating func parseOpenMetricsHashLine(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(ExpositionError) -> ExpositionEntry? {
        let line = UnsafeBufferPointer(start: base + start, count: end - start)
        if line.starts(with: "# EOF".utf8) {
            guard line.count == 5 else { throw error(.endOfInput, at: start + 5, "unexpected text after # EOF") }
            sawEOF = true
            return .eof
        }
        let keyword = line.count >= 7 && line[6] == ExpositionSyntax.space ? line[2..<6] : line[0..<0]
        let metadata: Metadata
        if keyword.elementsEqual("HELP".utf8) {
            metadata = .help
        } else if keyword.elementsEqual("TYPE".utf8) {
            metadata = .type(.unknown)
        } else if keyword.elementsEqual("UNIT".utf8) {
            metadata = .unit
        } else {
            throw error(
                .syntax, at: start,
                "comments are not allowed in OpenMetrics: a line starting with '#' must be "
                    + "# HELP, # TYPE, # UNIT or # EOF"
            )
        }
        guard line[1] == ExpositionSyntax.space else {
            throw error(.syntax, at: start + 1, "expected a single space after '#'")
        }
        var position = start + 7
        let nameStart = position
        let family = try parseMetadataName(base, &position, end)
        if position < end {
            guard base[position] == ExpositionSyntax.space else {
                throw invalidCharacterInMetricName(base, position, family)
            }
            position += 1
        }
        switch metadata {
        case .help:
            let text = try parseHelpText(base, position, end)
            try noteMetadata(.help, family: family, at: nameStart)
            return .help(family: family, text: text)
        case .type:
            let typeName = String(
                decoding: UnsafeBufferPointer(start: base + position, count: end - position), as: UTF8.self)
            guard let type = MetricType(rawValue: typeName) else {
                throw error(
                    .invalidMetadata, at: position,
                    "invalid metric type \(ExpositionSyntax.quote(typeName)); OpenMetrics allows counter, gauge, "
                        + "histogram, gaugehistogram, summary, info, stateset and unknown")
            }
            try noteMetadata(.type(type), family: family, at: nameStart)
            return .type(family: family, type)
        case .unit:
            guard
                let unit = String(
                    validating: UnsafeBufferPointer(start: base + position, count: end - position), as: UTF8.self)
            else { throw error(.invalidMetadata, at: position, "unit is not valid UTF-8") }
            if !unit.isEmpty && !family.hasUTF8Suffix("_" + unit) {
                throw error(
                    .invalidMetadata, at: position,
                    "unit \(ExpositionSyntax.quote(unit)) is not a suffix of metric family name "
                        + "\(ExpositionSyntax.quote(family)): the name must end in \"_\(unit)\"")
            }
            try noteMetadata(.unit, family: family, at: nameStart)
            return .unit(family: family, unit: unit)
        }
    }

    /// The family name of a metadata line: a bare metric name or a quoted UTF-8 one.
    private mutating func parseMetadataName(
        _ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int
    ) throws(ExpositionError) -> String {
        guard position < end else { throw error(.syntax, at: position, "expected a metric name, found end of line") }
        let start = position
        let first = base[position]
        if first == ExpositionSyntax.quote {
            let (name, _) = try parseQuoted(base, &position, end, role: .name, labelName: nil)
            guard !name.isEmpty else { throw error(.syntax, at: start, "empty metric name") }
            return name
        }
        guard ExpositionSyntax.isMetricNameStart(first) else {
            throw error(.syntax, at: position, "expected a metric name, found \(ExpositionSyntax.describe(first))")
        }
        position += 1
        while position < end && ExpositionSyntax.isMetricNameByte(base[position]) { position += 1 }
        return internName(base + start, count: position - start).string
    }

    /// HELP text to the end of the line: `\\` and `\n` are escapes, and in OpenMetrics `\"` too; any other
    /// backslash stays as written, as Prometheus keeps it.
    private func parseHelpText(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(ExpositionError) -> String
    {
        let raw = UnsafeBufferPointer(start: base + start, count: end - start)
        let text: String?
        if !raw.contains(ExpositionSyntax.backslash) {
            text = String(validating: raw, as: UTF8.self)
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(raw.count)
            var index = 0
            while index < raw.count {
                let byte = raw[index]
                if byte == ExpositionSyntax.backslash && index + 1 < raw.count {
                    let escaped = raw[index + 1]
                    switch escaped {
                    case UInt8(ascii: "n"): bytes.append(ExpositionSyntax.newline)
                    case ExpositionSyntax.backslash: bytes.append(ExpositionSyntax.backslash)
                    case ExpositionSyntax.quote where format == .openMetrics: bytes.append(ExpositionSyntax.quote)
                    default: bytes.append(contentsOf: [byte, escaped])
                    }
                    index += 2
                } else {
                    bytes.append(byte)
                    index += 1
                }
            }
            text = String(validating: bytes, as: UTF8.self)
        }
        guard let text else { throw error(.syntax, at: start, "HELP text is not valid UTF-8") }
        return text
    }

    // MARK: - Samples

    private mutating func parseSample(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(ExpositionError) -> MetricSample {
        let lenient = format == .text
        var position = start
        var name: String?
        var nameID: Int32 = -1
        let first = base[position]
        if ExpositionSyntax.isMetricNameStart(first) {
            position += 1
            while position < end && ExpositionSyntax.isMetricNameByte(base[position]) { position += 1 }
            let interned = internName(base + start, count: position - start)
            name = interned.string
            nameID = interned.id
            if position < end {
                let next = base[position]
                if next != ExpositionSyntax.openBrace && next != ExpositionSyntax.space
                    && !(lenient && next == ExpositionSyntax.tab)
                {
                    throw invalidCharacterInMetricName(base, position, interned.string)
                }
            }
            if lenient { Self.skipBlanks(base, &position, end) }
        } else if first != ExpositionSyntax.openBrace {
            throw error(.syntax, at: position, "expected a metric name, found \(ExpositionSyntax.describe(first))")
        }
        labels.removeAll(keepingCapacity: true)
        labelNameIDs.removeAll(keepingCapacity: true)
        if position < end && base[position] == ExpositionSyntax.openBrace {
            try parseLabelSet(base, &position, end, metricName: &name, metricNameID: &nameID, inExemplar: false)
        }
        guard let name else {
            throw error(
                .syntax, at: start, "missing metric name: write it before '{' or as a quoted string inside the braces")
        }
        let sampleLabels = labels.isEmpty ? Labels() : Labels(labels)
        if nameID != lastSampleNameID { try noteSampleName(name, id: nameID, at: start) }

        try skipSeparator(base, &position, end, before: "sample value")
        let valueStart = position
        position = tokenEnd(base, position, end)
        let value = try parseValue(base, valueStart, position)
        var timestamp: Int64?
        var exemplar: Exemplar?
        if lenient {
            Self.skipBlanks(base, &position, end)
            if position < end {
                let timestampStart = position
                position = tokenEnd(base, position, end)
                timestamp = try parseTimestamp(base, timestampStart, position)
                Self.skipBlanks(base, &position, end)
                if position < end { throw error(.syntax, at: position, "unexpected text after the timestamp") }
            }
        } else if position < end {
            try skipSeparator(base, &position, end, before: "timestamp or exemplar")
            if base[position] != ExpositionSyntax.hash {
                let timestampStart = position
                position = tokenEnd(base, position, end)
                timestamp = try parseTimestamp(base, timestampStart, position)
                if position < end {
                    try skipSeparator(base, &position, end, before: "exemplar")
                    guard base[position] == ExpositionSyntax.hash else {
                        throw error(.syntax, at: position, "unexpected text after the timestamp")
                    }
                }
            }
            if position < end { exemplar = try parseExemplar(base, &position, end, sampleName: name) }
        }
        return MetricSample(name: name, labels: sampleLabels, value: value, timestampMs: timestamp, exemplar: exemplar)
    }

    /// `{name="value",...}` into ``labels``, with a quoted string alone (or `__name__`) naming the metric.
    private mutating func parseLabelSet(
        _ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int,
        metricName: inout String?, metricNameID: inout Int32, inExemplar: Bool
    ) throws(ExpositionError) {
        let lenient = format == .text
        let open = position
        position += 1
        if lenient { Self.skipBlanks(base, &position, end) }
        while true {
            guard position < end else { throw error(.syntax, at: open, "unterminated label set: missing '}'") }
            let byte = base[position]
            if byte == ExpositionSyntax.closeBrace {
                position += 1
                return
            }
            let nameStart = position
            let labelName: String
            let labelID: Int32
            if byte == ExpositionSyntax.quote {
                (labelName, labelID) = try parseQuoted(base, &position, end, role: .name, labelName: nil)
                if lenient { Self.skipBlanks(base, &position, end) }
                if position < end
                    && (base[position] == ExpositionSyntax.comma || base[position] == ExpositionSyntax.closeBrace)
                {
                    // {"my.metric", le="1"}: a quoted string on its own is the metric name.
                    try setMetricName(labelName, id: labelID, at: nameStart, &metricName, &metricNameID, inExemplar)
                    if base[position] == ExpositionSyntax.comma {
                        position += 1
                        if lenient { Self.skipBlanks(base, &position, end) }
                    }
                    continue
                }
                guard !labelName.isEmpty else { throw error(.syntax, at: nameStart, "empty label name") }
            } else if ExpositionSyntax.isLabelNameStart(byte) {
                position += 1
                while position < end && ExpositionSyntax.isLabelNameByte(base[position]) { position += 1 }
                (labelName, labelID) = internName(base + nameStart, count: position - nameStart)
                if position < end {
                    let next = base[position]
                    if next != ExpositionSyntax.equals && !(lenient && ExpositionSyntax.isBlank(next)) {
                        throw error(
                            .syntax, at: position,
                            next == ExpositionSyntax.comma || next == ExpositionSyntax.closeBrace
                                ? "expected '=' after label name \"\(labelName)\""
                                : "invalid character \(ExpositionSyntax.describe(next)) in label name "
                                    + "\"\(labelName)\"; "
                                    + "quote label names that need it: {\"my.label\"=\"value\"}")
                    }
                }
            } else if byte == ExpositionSyntax.equals {
                throw error(.syntax, at: position, "empty label name before '='")
            } else {
                throw error(.syntax, at: position, "expected a label name, found \(ExpositionSyntax.describe(byte))")
            }
            if lenient { Self.skipBlanks(base, &position, end) }
            guard position < end, base[position] == ExpositionSyntax.equals else {
                throw error(.syntax, at: position, "expected '=' after label name \(ExpositionSyntax.quote(labelName))")
            }
            position += 1
            if lenient { Self.skipBlanks(base, &position, end) }
            guard position < end, base[position] == ExpositionSyntax.quote else {
                throw error(
                    .syntax, at: position,
                    "expected '\"' to open the value of label \(ExpositionSyntax.quote(labelName)), found "
                        + (position < end ? ExpositionSyntax.describe(base[position]) : "end of line"))
            }
            if labelID == metricNameLabelID {
                let (value, valueID) = try parseQuoted(base, &position, end, role: .name, labelName: labelName)
                try setMetricName(value, id: valueID, at: nameStart, &metricName, &metricNameID, inExemplar)
            } else {
                let (value, _) = try parseQuoted(base, &position, end, role: .labelValue, labelName: labelName)
                if labelNameIDs.contains(labelID) {
                    throw error(
                        .invalidLabels, at: nameStart, "duplicate label name \(ExpositionSyntax.quote(labelName))")
                }
                labelNameIDs.append(labelID)
                labels.append(Label(labelName, value))
            }
            if lenient { Self.skipBlanks(base, &position, end) }
            guard position < end else { throw error(.syntax, at: open, "unterminated label set: missing '}'") }
            let next = base[position]
            position += 1
            if next == ExpositionSyntax.comma {
                if lenient { Self.skipBlanks(base, &position, end) }
            } else if next != ExpositionSyntax.closeBrace {
                throw error(
                    .syntax, at: position - 1,
                    "expected ',' or '}' after the value of label \(ExpositionSyntax.quote(labelName)), found "
                        + ExpositionSyntax.describe(next))
            } else {
                return
            }
        }
    }

    private func setMetricName(
        _ name: String, id: Int32, at position: Int, _ metricName: inout String?, _ metricNameID: inout Int32,
        _ inExemplar: Bool
    ) throws(ExpositionError) {
        if inExemplar { throw error(.invalidExemplar, at: position, "exemplar labels cannot name a metric") }
        guard !name.isEmpty else { throw error(.syntax, at: position, "empty metric name") }
        if let metricName {
            throw error(
                .syntax, at: position,
                "metric name given twice: \(ExpositionSyntax.quote(metricName)) and \(ExpositionSyntax.quote(name))")
        }
        metricName = name
        metricNameID = id
    }

    /// A `"…"` string at `position`: `\\`, `\"` and `\n` are escapes, other backslashes stay as written.
    private mutating func parseQuoted(
        _ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int, role: QuotedRole, labelName: String?
    ) throws(ExpositionError) -> (String, Int32) {
        let open = position
        position += 1
        let contentStart = position
        while position < end {
            let byte = base[position]
            if byte == ExpositionSyntax.quote || byte == ExpositionSyntax.backslash { break }
            position += 1
        }
        guard position < end else { throw unterminatedString(open, labelName) }
        let interned: (string: String, id: Int32)?
        if base[position] == ExpositionSyntax.quote {
            interned = intern(base + contentStart, count: position - contentStart, role: role)
            position += 1
        } else {
            unescaped.removeAll(keepingCapacity: true)
            unescaped.append(
                contentsOf: UnsafeBufferPointer(start: base + contentStart, count: position - contentStart))
            var closed = false
            while position < end {
                let byte = base[position]
                if byte == ExpositionSyntax.quote {
                    closed = true
                    position += 1
                    break
                }
                if byte == ExpositionSyntax.backslash {
                    guard position + 1 < end else { break }
                    let escaped = base[position + 1]
                    switch escaped {
                    case UInt8(ascii: "n"): unescaped.append(ExpositionSyntax.newline)
                    case ExpositionSyntax.backslash, ExpositionSyntax.quote: unescaped.append(escaped)
                    default:
                        unescaped.append(byte)
                        unescaped.append(escaped)
                    }
                    position += 2
                } else {
                    unescaped.append(byte)
                    position += 1
                }
            }
            guard closed else { throw unterminatedString(open, labelName) }
            let bytes = unescaped
            interned = bytes.withUnsafeBufferPointer { buffer in
                guard let start = buffer.baseAddress else { return intern(base, count: 0, role: role) }
                return intern(start, count: buffer.count, role: role)
            }
        }
        guard let interned else {
            let what = role == .labelValue ? "value of label \(ExpositionSyntax.quote(labelName ?? ""))" : "quoted name"
            throw error(.invalidLabels, at: open, "\(what) is not valid UTF-8")
        }
        return interned
    }

    private func unterminatedString(_ open: Int, _ labelName: String?) -> ExpositionError {
        if let labelName {
            return error(
                .syntax, at: open,
                "unterminated label value for \(ExpositionSyntax.quote(labelName)): missing closing '\"'")
        }
        return error(.syntax, at: open, "unterminated quoted name: missing closing '\"'")
    }

    /// An OpenMetrics exemplar, ` # {labels} value [timestamp]`, with `position` at its `#`.
    private mutating func parseExemplar(
        _ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int, sampleName: String
    ) throws(ExpositionError) -> Exemplar {
        guard currentRecord.type.allowsExemplar(onSample: sampleName) else {
            throw error(
                .invalidExemplar, at: position,
                "exemplars are only allowed on counter _total and histogram _bucket samples, not on "
                    + "\(ExpositionSyntax.quote(sampleName)) of \(currentRecord.type.rawValue) family "
                    + ExpositionSyntax.quote(currentFamily ?? sampleName))
        }
        guard position + 2 < end, base[position + 1] == ExpositionSyntax.space,
            base[position + 2] == ExpositionSyntax.openBrace
        else {
            throw error(.syntax, at: position, "expected '# {' to start an exemplar")
        }
        position += 2
        let labelsStart = position
        labels.removeAll(keepingCapacity: true)
        labelNameIDs.removeAll(keepingCapacity: true)
        var noName: String?
        var noNameID: Int32 = -1
        try parseLabelSet(base, &position, end, metricName: &noName, metricNameID: &noNameID, inExemplar: true)
        var length = 0
        for label in labels { length += label.name.unicodeScalars.count + label.value.unicodeScalars.count }
        guard length <= 128 else {
            throw error(
                .invalidExemplar, at: labelsStart,
                "exemplar labels are \(length) characters long; OpenMetrics allows at most 128")
        }
        let exemplarLabels = labels.isEmpty ? Labels() : Labels(labels)
        try skipSeparator(base, &position, end, before: "exemplar value")
        let valueStart = position
        position = tokenEnd(base, position, end)
        let value = try parseValue(base, valueStart, position)
        var timestamp: Int64?
        if position < end {
            try skipSeparator(base, &position, end, before: "exemplar timestamp")
            let timestampStart = position
            position = tokenEnd(base, position, end)
            timestamp = try parseTimestamp(base, timestampStart, position)
            if position < end { throw error(.syntax, at: position, "unexpected text after the exemplar timestamp") }
        }
        return Exemplar(labels: exemplarLabels, value: value, timestampMs: timestamp)
    }

    // MARK: - Tokens and numbers

    /// Moves past the blanks (text) or the single space (OpenMetrics) before a field, which must follow.
    private func skipSeparator(
        _ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int, before field: StaticString
    ) throws(ExpositionError) {
        if format == .text {
            Self.skipBlanks(base, &position, end)
            guard position < end else { throw error(.syntax, at: position, "missing \(field)") }
            return
        }
        guard position < end else { throw error(.syntax, at: position, "missing \(field)") }
        guard base[position] == ExpositionSyntax.space else {
            throw error(
                .syntax, at: position,
                "expected ' ' before the \(field), found \(ExpositionSyntax.describe(base[position]))")
        }
        position += 1
        guard position < end else { throw error(.syntax, at: position - 1, "trailing space at end of line") }
        guard base[position] != ExpositionSyntax.space else {
            throw error(
                .syntax, at: position, "unexpected second space: OpenMetrics separates fields with exactly one space")
        }
    }

    /// The end of the field starting at `position`: the next blank (text) or space (OpenMetrics).
    @inline(__always)
    private func tokenEnd(_ base: UnsafePointer<UInt8>, _ position: Int, _ end: Int) -> Int {
        var index = position
        if format == .text {
            while index < end && !ExpositionSyntax.isBlank(base[index]) { index += 1 }
        } else {
            while index < end && base[index] != ExpositionSyntax.space { index += 1 }
        }
        return index
    }

    private func parseValue(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(ExpositionError) -> Double {
        do {
            return try NumberParser.parseDouble(base + start, count: end - start)
        } catch {
            let token = ExpositionSyntax.quote(UnsafeBufferPointer(start: base + start, count: end - start))
            switch error {
            case .invalid:
                throw self.error(
                    .invalidNumber, at: start, "invalid value \(token): expected a number, NaN, +Inf or -Inf")
            case .outOfRange:
                throw self.error(.invalidNumber, at: start, "value \(token) is out of range for a 64-bit float")
            }
        }
    }

    private func parseTimestamp(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(ExpositionError) -> Int64
    {
        do {
            return format == .text
                ? try NumberParser.parseMilliseconds(base + start, count: end - start)
                : try NumberParser.parseSecondsAsMilliseconds(base + start, count: end - start)
        } catch {
            let token = ExpositionSyntax.quote(UnsafeBufferPointer(start: base + start, count: end - start))
            switch error {
            case .invalid:
                let expected = format == .text ? "integer milliseconds" : "seconds"
                throw self.error(
                    .invalidNumber, at: start, "invalid timestamp \(token): expected \(expected) since the epoch")
            case .outOfRange:
                throw self.error(
                    .invalidNumber, at: start, "timestamp \(token) is out of range for 64-bit milliseconds")
            }
        }
    }

    @inline(__always)
    private static func skipBlanks(_ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int) {
        while position < end && ExpositionSyntax.isBlank(base[position]) { position += 1 }
    }

    /// The index of the first `\n` in `start..<end`, or `end`; eight bytes a step.
    @inline(__always)
    private static func newlineIndex(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        let raw = UnsafeRawPointer(base)
        var index = start
        while index + 8 <= end {
            let word =
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ 0x0a0a_0a0a_0a0a_0a0a
            let zeroBytes = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if zeroBytes != 0 { return index + zeroBytes.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < end && base[index] != ExpositionSyntax.newline { index += 1 }
        return index
    }

    private static func isEOFLine(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        UnsafeBufferPointer(start: base + start, count: end - start).elementsEqual("# EOF".utf8)
    }

    // MARK: - Strings

    @inline(__always)
    private mutating func internName(_ start: UnsafePointer<UInt8>, count: Int) -> (string: String, id: Int32) {
        // Bare names are ASCII, so they are valid UTF-8.
        names.intern(start, count: count) ?? (
            String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self), -1
        )
    }

    @inline(__always)
    private mutating func intern(
        _ start: UnsafePointer<UInt8>, count: Int, role: QuotedRole
    ) -> (string: String, id: Int32)? {
        switch role {
        case .name: names.intern(start, count: count)
        case .labelValue: values.intern(start, count: count)
        }
    }

    // MARK: - Families

    /// Applies the rules on metadata: at most one of each kind per family, before the family's samples
    /// (TYPE always; HELP and UNIT in OpenMetrics), and in OpenMetrics no family may come back.
    private mutating func noteMetadata(
        _ metadata: Metadata, family: String, at position: Int
    ) throws(ExpositionError) {
        if currentFamily != family { try switchFamily(to: family, at: position) }
        lastSampleNameID = -1
        var quotedFamily: String { ExpositionSyntax.quote(family) }
        switch metadata {
        case .help:
            if currentRecord.hasHelp {
                throw error(.invalidMetadata, at: position, "second HELP line for metric family \(quotedFamily)")
            }
            if format == .openMetrics && currentRecord.hasSamples {
                throw error(
                    .invalidMetadata, at: position, "HELP line for metric family \(quotedFamily) after its samples")
            }
            currentRecord.hasHelp = true
        case .type(let type):
            if currentRecord.hasType {
                throw error(.invalidMetadata, at: position, "second TYPE line for metric family \(quotedFamily)")
            }
            if currentRecord.hasSamples {
                throw error(
                    .invalidMetadata, at: position, "TYPE line for metric family \(quotedFamily) after its samples")
            }
            currentRecord.hasType = true
            currentRecord.type = type
        case .unit:
            if currentRecord.hasUnit {
                throw error(.invalidMetadata, at: position, "second UNIT line for metric family \(quotedFamily)")
            }
            if currentRecord.hasSamples {
                throw error(
                    .invalidMetadata, at: position, "UNIT line for metric family \(quotedFamily) after its samples")
            }
            currentRecord.hasUnit = true
        }
    }

    /// Called when a sample's name differs from the previous one: finds the family it belongs to.
    private mutating func noteSampleName(_ name: String, id: Int32, at position: Int) throws(ExpositionError) {
        lastSampleNameID = id
        if let currentFamily, FamilyMembership.contains(sample: name, family: currentFamily, type: currentRecord.type) {
            currentRecord.hasSamples = true
            return
        }
        let earlier = FamilyMembership.family(ofSample: name) { candidate in
            candidate == currentFamily ? currentRecord.type : families[candidate]?.type
        }
        try switchFamily(to: earlier ?? name, at: position)
        currentRecord.hasSamples = true
    }

    private mutating func switchFamily(to family: String, at position: Int) throws(ExpositionError) {
        if let currentFamily { families[currentFamily] = currentRecord }
        if let record = families[family] {
            if format == .openMetrics {
                throw error(
                    .interleavedFamily, at: position,
                    "metric family \(ExpositionSyntax.quote(family)) appears again after other families; "
                        + "OpenMetrics requires all lines of a family to be together")
            }
            currentRecord = record
        } else {
            currentRecord = FamilyRecord()
        }
        currentFamily = family
    }

    // MARK: - Errors

    private func error(_ code: ExpositionError.Code, at position: Int, _ message: String) -> ExpositionError {
        ExpositionError(code: code, line: lineNumber, column: position - lineStart + 1, message: message)
    }

    private func invalidCharacterInMetricName(
        _ base: UnsafePointer<UInt8>, _ position: Int, _ name: String
    ) -> ExpositionError {
        error(
            .syntax, at: position,
            "invalid character \(ExpositionSyntax.describe(base[position])) in metric name "
                + "\(ExpositionSyntax.quote(name)); "
                + "quote names that need it: {\"my.metric\"}")
    }
}
