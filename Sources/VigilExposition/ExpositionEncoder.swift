public import VigilModel

/// Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0, appending to a caller's buffer.
///
/// Text output is byte for byte what client_golang (and so node_exporter) writes for the same families:
/// `# HELP` (omitted when the help is empty), `# TYPE`, then one line per sample with labels in sorted order,
/// except that a histogram's `le` and a summary's `quantile` come last, values formatted like Go's
/// `strconv.FormatFloat(v, 'g', -1, 64)`, and timestamps in milliseconds. Families without samples are
/// skipped, as client_golang refuses them. Exemplars exist only in OpenMetrics and are dropped from text.
///
/// OpenMetrics output names a counter family without its `_total` and an info family without its `_info`,
/// writes `# UNIT` when the unit is set, timestamps in seconds, exemplars, and ends with `# EOF`.
/// Names that are not valid legacy names are written quoted, as Prometheus 3 does: `{"my.metric",le="1"}`.
public enum ExpositionEncoder {
    /// Appends `families` in `format` to `buffer`.
    public static func encode(_ families: [MetricFamily], format: ExpositionFormat, into buffer: inout [UInt8]) {
        switch format {
        case .text:
            for family in families { appendText(family, to: &buffer) }
        case .openMetrics:
            for family in families { appendOpenMetrics(family, to: &buffer) }
            buffer.append(contentsOf: "# EOF\n".utf8)
        }
    }

    /// `families` in `format` as a new byte array.
    public static func encode(_ families: [MetricFamily], format: ExpositionFormat) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(families.reduce(0) { $0 + 64 + $1.samples.count * 64 })
        encode(families, format: format, into: &buffer)
        return buffer
    }

    // MARK: - Text 0.0.4

    private static func appendText(_ family: MetricFamily, to buffer: inout [UInt8]) {
        guard !family.samples.isEmpty else { return }
        if !family.help.isEmpty {
            buffer.append(contentsOf: "# HELP ".utf8)
            appendMetadataName(family.name, to: &buffer)
            buffer.append(ExpositionSyntax.space)
            appendEscaped(family.help, escapingQuotes: false, to: &buffer)
            buffer.append(ExpositionSyntax.newline)
        }
        buffer.append(contentsOf: "# TYPE ".utf8)
        appendMetadataName(family.name, to: &buffer)
        buffer.append(ExpositionSyntax.space)
        buffer.append(contentsOf: family.type.textTypeName.utf8)
        buffer.append(ExpositionSyntax.newline)
        let trailingLabel = family.type.trailingLabelName
        for sample in family.samples {
            appendNameAndLabels(
                sample.name, sample.labels, order: family.labelOrder, trailingLabel: trailingLabel, to: &buffer)
            buffer.append(ExpositionSyntax.space)
            GoFloatFormatter.append(sample.value, to: &buffer)
            if let timestamp = sample.timestampMs {
                buffer.append(ExpositionSyntax.space)
                appendInteger(timestamp, to: &buffer)
            }
            buffer.append(ExpositionSyntax.newline)
        }
    }

    // MARK: - OpenMetrics 1.0

    private static func appendOpenMetrics(_ family: MetricFamily, to buffer: inout [UInt8]) {
        let (name, sampleSuffix) = openMetricsNames(family)
        if !family.help.isEmpty {
            buffer.append(contentsOf: "# HELP ".utf8)
            appendMetadataName(name, to: &buffer)
            buffer.append(ExpositionSyntax.space)
            appendEscaped(family.help, escapingQuotes: true, to: &buffer)
            buffer.append(ExpositionSyntax.newline)
        }
        buffer.append(contentsOf: "# TYPE ".utf8)
        appendMetadataName(name, to: &buffer)
        buffer.append(ExpositionSyntax.space)
        buffer.append(contentsOf: family.type.rawValue.utf8)
        buffer.append(ExpositionSyntax.newline)
        if !family.unit.isEmpty {
            buffer.append(contentsOf: "# UNIT ".utf8)
            appendMetadataName(name, to: &buffer)
            buffer.append(ExpositionSyntax.space)
            buffer.append(contentsOf: family.unit.utf8)
            buffer.append(ExpositionSyntax.newline)
        }
        let trailingLabel = family.type.trailingLabelName
        for sample in family.samples {
            let sampleName =
                sampleSuffix != nil && sample.name == family.name ? sample.name + (sampleSuffix ?? "") : sample.name
            appendNameAndLabels(
                sampleName, sample.labels, order: family.labelOrder, trailingLabel: trailingLabel, to: &buffer)
            buffer.append(ExpositionSyntax.space)
            GoFloatFormatter.append(sample.value, to: &buffer)
            if let timestamp = sample.timestampMs {
                buffer.append(ExpositionSyntax.space)
                appendSeconds(milliseconds: timestamp, to: &buffer)
            }
            if let exemplar = sample.exemplar {
                buffer.append(contentsOf: " # {".utf8)
                appendLabelPairs(exemplar.labels, order: [], trailingLabel: nil, needsComma: false, to: &buffer)
                buffer.append(contentsOf: "} ".utf8)
                GoFloatFormatter.append(exemplar.value, to: &buffer)
                if let timestamp = exemplar.timestampMs {
                    buffer.append(ExpositionSyntax.space)
                    appendSeconds(milliseconds: timestamp, to: &buffer)
                }
            }
            buffer.append(ExpositionSyntax.newline)
        }
    }

    /// The OpenMetrics family name for a family named the text format's way, and the suffix its samples
    /// need when they carry the bare family name: `x_total` counter → (`x`, nil); `x` counter → (`x`, `_total`).
    static func openMetricsNames(_ family: MetricFamily) -> (name: String, sampleSuffix: String?) {
        let suffix: String
        switch family.type {
        case .counter: suffix = "_total"
        case .info: suffix = "_info"
        default: return (family.name, nil)
        }
        guard family.name.hasUTF8Suffix(suffix), family.name.utf8.count > suffix.utf8.count else {
            return (family.name, suffix)
        }
        return (String(decoding: family.name.utf8.dropLast(suffix.utf8.count), as: UTF8.self), nil)
    }

    // MARK: - Pieces

    /// `name{a="x",b="y"}`, or `{"my.name",a="x"}` when the name needs quoting.
    private static func appendNameAndLabels(
        _ name: String, _ labels: Labels, order: [String], trailingLabel: String?, to buffer: inout [UInt8]
    ) {
        if ExpositionSyntax.isLegacyMetricName(name) {
            buffer.append(contentsOf: name.utf8)
            guard !labels.isEmpty else { return }
            buffer.append(ExpositionSyntax.openBrace)
            appendLabelPairs(labels, order: order, trailingLabel: trailingLabel, needsComma: false, to: &buffer)
        } else {
            buffer.append(ExpositionSyntax.openBrace)
            appendQuoted(name, to: &buffer)
            appendLabelPairs(labels, order: order, trailingLabel: trailingLabel, needsComma: true, to: &buffer)
        }
        buffer.append(ExpositionSyntax.closeBrace)
    }

    /// `a="x",b="y"`: the names in `order` first, in that order, then the rest sorted, with `trailingLabel`
    /// moved last, as client_golang writes `le` and `quantile`.
    private static func appendLabelPairs(
        _ labels: Labels, order: [String], trailingLabel: String?, needsComma: Bool, to buffer: inout [UInt8]
    ) {
        var needsComma = needsComma
        for name in order {
            guard let value = labels[name] else { continue }
            appendLabel(Label(name, value), needsComma: needsComma, to: &buffer)
            needsComma = true
        }
        var trailing: Label?
        for label in labels where order.isEmpty || !order.contains(label.name) {
            if let trailingLabel, label.name == trailingLabel {
                trailing = label
                continue
            }
            appendLabel(label, needsComma: needsComma, to: &buffer)
            needsComma = true
        }
        if let trailing { appendLabel(trailing, needsComma: needsComma, to: &buffer) }
    }

    @inline(__always)
    private static func appendLabel(_ label: Label, needsComma: Bool, to buffer: inout [UInt8]) {
        if needsComma { buffer.append(ExpositionSyntax.comma) }
        if ExpositionSyntax.isLegacyLabelName(label.name) {
            buffer.append(contentsOf: label.name.utf8)
        } else {
            appendQuoted(label.name, to: &buffer)
        }
        buffer.append(ExpositionSyntax.equals)
        appendQuoted(label.value, to: &buffer)
    }

    private static func appendMetadataName(_ name: String, to buffer: inout [UInt8]) {
        if ExpositionSyntax.isLegacyMetricName(name) {
            buffer.append(contentsOf: name.utf8)
        } else {
            appendQuoted(name, to: &buffer)
        }
    }

    /// `"value"` with `\`, `"` and newline escaped.
    private static func appendQuoted(_ value: String, to buffer: inout [UInt8]) {
        buffer.append(ExpositionSyntax.quote)
        appendEscaped(value, escapingQuotes: true, to: &buffer)
        buffer.append(ExpositionSyntax.quote)
    }

    private static func appendEscaped(_ value: String, escapingQuotes: Bool, to buffer: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var clean = bytes.startIndex
            for index in bytes.indices {
                let byte = bytes[index]
                let escape: UInt8
                switch byte {
                case ExpositionSyntax.backslash: escape = ExpositionSyntax.backslash
                case ExpositionSyntax.newline: escape = UInt8(ascii: "n")
                case ExpositionSyntax.quote where escapingQuotes: escape = ExpositionSyntax.quote
                default: continue
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean..<index]))
                buffer.append(ExpositionSyntax.backslash)
                buffer.append(escape)
                clean = index + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean...]))
        }
    }

    private static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        GoFloatFormatter.appendDecimal(value.magnitude, to: &buffer)
    }

    /// Milliseconds as exact decimal seconds: 1700000000123 → `1700000000.123`, 1500 → `1.5`, -1 → `-0.001`.
    static func appendSeconds(milliseconds: Int64, to buffer: inout [UInt8]) {
        if milliseconds < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = milliseconds.magnitude
        GoFloatFormatter.appendDecimal(magnitude / 1000, to: &buffer)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return }
        buffer.append(UInt8(ascii: "."))
        var divisor: UInt64 = 100
        while fraction != 0 {
            buffer.append(UInt8(truncatingIfNeeded: fraction / divisor) + UInt8(ascii: "0"))
            fraction %= divisor
            divisor /= 10
        }
    }
}
