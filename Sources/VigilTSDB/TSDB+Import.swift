import Foundation
import VigilModel
import VigilStorage

extension TSDB {
    /// What a bulk import wrote.
    public struct ImportReport: Sendable, Equatable {
        public var blocks: [BlockMeta] = []
        public var series = 0
        public var samples = 0
    }

    /// Imports OpenMetrics text (`name{labels} value timestamp_seconds` lines, each series' samples
    /// contiguous and ascending, `# HELP`/`# TYPE` ignored, ending `# EOF`) into blocks of
    /// `blockDuration` in `directory`, as promtool's `tsdb create-blocks-from openmetrics`.
    ///
    /// Memory holds one series' samples and, per open block, the labels and chunk references of its
    /// series; chunk bytes go to disk as they are made. Open the directory with ``open(directory:options:)``
    /// afterwards (not while a ``TSDB`` serves it).
    public static func importOpenMetrics(
        _ bytes: [UInt8], into directory: String, blockDuration: Int64 = 2 * 3_600_000
    ) throws(StorageError) -> ImportReport {
        var importer = try OpenMetricsImporter(directory: directory, blockDuration: blockDuration)
        try importer.consume(bytes[...])
        return try importer.finish()
    }

    /// ``importOpenMetrics(_:into:blockDuration:)`` reading the file at `path` 1 MiB at a time.
    public static func importOpenMetrics(
        file path: String, into directory: String, blockDuration: Int64 = 2 * 3_600_000
    ) throws(StorageError) -> ImportReport {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StorageError(.io, "cannot open \(path) for import")
        }
        defer { try? handle.close() }
        var importer = try OpenMetricsImporter(directory: directory, blockDuration: blockDuration)
        do {
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                try importer.consume(Array(data)[...])
            }
        } catch let error as StorageError {
            importer.abort()
            throw error
        } catch {
            importer.abort()
            throw StorageError(.io, "cannot read \(path): \(error)", cause: error)
        }
        return try importer.finish()
    }
}

/// The line parser and block routing behind ``TSDB/importOpenMetrics(_:into:blockDuration:)``.
struct OpenMetricsImporter {
    let directory: String
    let blockDuration: Int64
    private var writers: [Int64: BlockWriter] = [:]
    private var pending: [UInt8] = []
    private var line = 0
    private var ended = false
    private var currentKey: [UInt8] = []
    private var currentLabels = Labels()
    private var currentSamples: [Sample] = []
    private var report = TSDB.ImportReport()

    init(directory: String, blockDuration: Int64) throws(StorageError) {
        self.directory = directory
        self.blockDuration = blockDuration
        try WAL.makeDirectory(directory)
    }

    mutating func consume(_ bytes: ArraySlice<UInt8>) throws(StorageError) {
        pending += bytes
        var start = pending.startIndex
        while let newline = Self.newline(in: pending, from: start) {
            line += 1
            try parse(pending[start..<newline])
            start = newline + 1
        }
        pending.removeFirst(start - pending.startIndex)
    }

    /// The index of the next `\n` at or after `start` (`memchr`: the generic search cost 7 % of an import).
    private static func newline(in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { buffer in
            guard start < buffer.count, let base = buffer.baseAddress,
                let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Whether `text` starts with `key` followed by a space: then its series is `key`'s, without scanning the
    /// label set again (the scan over the same bytes would end at the same space).
    private static func continues(_ text: ArraySlice<UInt8>, key: [UInt8]) -> Bool {
        guard !key.isEmpty, text.count > key.count, text[text.startIndex + key.count] == UInt8(ascii: " ") else {
            return false
        }
        return text.withUnsafeBytes { line in
            key.withUnsafeBytes { key in memcmp(line.baseAddress!, key.baseAddress!, key.count) == 0 }
        }
    }

    mutating func finish() throws(StorageError) -> TSDB.ImportReport {
        if !pending.isEmpty {
            line += 1
            try parse(pending[...])
            pending = []
        }
        guard ended else { throw failure("input ends without \"# EOF\"") }
        try flushSeries()
        for start in writers.keys.sorted() {
            if let meta = try writers[start]!.finish() { report.blocks.append(meta) }
        }
        writers = [:]
        return report
    }

    func abort() {
        for writer in writers.values { writer.abort() }
    }

    private func failure(_ message: String) -> StorageError {
        StorageError(.invalidImport, "line \(line): \(message)")
    }

    private mutating func parse(_ text: ArraySlice<UInt8>) throws(StorageError) {
        var text = text
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        if text.isEmpty { return }
        if ended { throw failure("data after \"# EOF\"") }
        if text.first == UInt8(ascii: "#") {
            if text.elementsEqual("# EOF".utf8) { ended = true }
            return
        }
        // The series key is everything before the value: the name and the braces, verbatim. Lines of one
        // series follow each other, so the previous key is tried first.
        if Self.continues(text, key: currentKey) {
            try append(text[(text.startIndex + currentKey.count + 1)...])
            return
        }
        var position = text.startIndex
        var inQuotes = false
        var escaped = false
        var braces = false
        while position < text.endIndex {
            let byte = text[position]
            if inQuotes {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: "{") {
                braces = true
            } else if byte == UInt8(ascii: "}") {
                braces = false
            } else if byte == UInt8(ascii: " ") && !braces {
                break
            }
            position += 1
        }
        guard position < text.endIndex, !inQuotes else { throw failure("expected a value after the series") }
        let key = text[text.startIndex..<position]
        // A new series (the same key not directly after itself is caught as a sample out of order, or by the
        // block writer as a series added twice).
        try flushSeries()
        currentKey = Array(key)
        currentLabels = try parseLabels(key)
        try append(text[(position + 1)...])
    }

    /// Parses `value timestamp` and appends the sample to the current series.
    private mutating func append(_ rest: ArraySlice<UInt8>) throws(StorageError) {
        guard let space = rest.firstIndex(of: UInt8(ascii: " ")), space > rest.startIndex,
            space + 1 < rest.endIndex, !rest[(space + 1)...].contains(UInt8(ascii: " "))
        else { throw failure("expected `value timestamp` after the series") }
        guard let value = Self.parseValue(rest[..<space]) else { throw failure("bad value") }
        guard let timestamp = Self.parseMilliseconds(rest[(space + 1)...]) else { throw failure("bad timestamp") }
        guard abs(timestamp) < 1 << 62 else { throw failure("timestamp \(timestamp) ms is out of range") }
        if let last = currentSamples.last, timestamp <= last.timestamp {
            throw failure("sample at \(timestamp) ms is not after the previous sample of \(currentLabels)")
        }
        currentSamples.append(Sample(timestamp, value))
        if currentSamples.count >= 4096 { try flushSeries(keepingSeries: true) }
    }

    /// Seconds (`1700000000`, `1700000000.5`, `1.7e9`) as milliseconds; integers and up to three decimals
    /// without going through `Double`.
    static func parseMilliseconds(_ bytes: ArraySlice<UInt8>) -> Int64? {
        if let (mantissa, decimals) = decimal(bytes), decimals <= 3 {
            var scale: Int64 = 1
            for _ in decimals..<3 { scale *= 10 }
            let (result, overflow) = mantissa.multipliedReportingOverflow(by: scale)
            return overflow ? nil : result
        }
        guard let seconds = Double(String(decoding: bytes, as: UTF8.self)), seconds.isFinite else { return nil }
        return Int64(exactly: (seconds * 1000).rounded())
    }

    /// A plain decimal (`-12.345`): the digits as an integer and the count of digits after the point; nil for
    /// anything else (exponents, more than 18 digits) so that callers fall back to the full parser.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> (Int64, Int)? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: Int64 = 0
        var digits = 0
        var decimals = 0
        var seenPoint = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                if digits > 18 { return nil }
                mantissa = mantissa * 10 + Int64(byte - UInt8(ascii: "0"))
                if seenPoint { decimals += 1 }
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        return (negative ? -mantissa : mantissa, decimals)
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    static func parseValue(_ bytes: ArraySlice<UInt8>) -> Double? {
        // Clinger's fast path: an integer below 2⁵³ divided by an exact power of ten rounds correctly.
        if let (mantissa, decimals) = decimal(bytes), abs(mantissa) < 1 << 53, decimals <= 22 {
            let value = Double(mantissa) / powersOfTen[decimals]
            return value == 0 && bytes.first == UInt8(ascii: "-") ? -0.0 : value
        }
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    private func parseLabels(_ key: ArraySlice<UInt8>) throws(StorageError) -> Labels {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else {
            return Labels([Label(metricNameLabel, String(decoding: key, as: UTF8.self))])
        }
        var labels = [Label(metricNameLabel, String(decoding: key[..<open], as: UTF8.self))]
        guard key.last == UInt8(ascii: "}") else { throw failure("label set does not end with }") }
        var position = open + 1
        let end = key.endIndex - 1
        while position < end {
            guard let equals = key[position..<end].firstIndex(of: UInt8(ascii: "=")),
                equals + 1 < end, key[equals + 1] == UInt8(ascii: "\"")
            else { throw failure("expected name=\"value\" in the label set") }
            let name = String(decoding: key[position..<equals], as: UTF8.self)
            var value: [UInt8] = []
            var index = equals + 2
            var closed = false
            while index < end {
                let byte = key[index]
                if byte == UInt8(ascii: "\\"), index + 1 < end {
                    let next = key[index + 1]
                    value.append(next == UInt8(ascii: "n") ? UInt8(ascii: "\n") : next)
                    index += 2
                } else if byte == UInt8(ascii: "\"") {
                    closed = true
                    index += 1
                    break
                } else {
                    value.append(byte)
                    index += 1
                }
            }
            guard closed, !name.isEmpty else { throw failure("unterminated label value") }
            if !value.isEmpty { labels.append(Label(name, String(decoding: value, as: UTF8.self))) }
            if index < end {
                guard key[index] == UInt8(ascii: ",") else { throw failure("expected , between labels") }
                index += 1
            }
            position = index
        }
        labels.sort { $0.name < $1.name }
        return Labels(labels)
    }

    /// Hands the current series' samples to the writers of their block ranges.
    private mutating func flushSeries(keepingSeries: Bool = false) throws(StorageError) {
        guard !currentSamples.isEmpty else { return }
        if !keepingSeries { report.series += 1 }
        report.samples += currentSamples.count
        var index = 0
        while index < currentSamples.count {
            let start = alignDown(currentSamples[index].timestamp, blockDuration)
            var end = index
            while end < currentSamples.count && currentSamples[end].timestamp < start + blockDuration { end += 1 }
            let writer: BlockWriter
            if let existing = writers[start] {
                writer = existing
            } else {
                writer = try BlockWriter(parent: directory, minTime: start, maxTime: start + blockDuration)
                writers[start] = writer
            }
            try writer.add(currentLabels, samples: currentSamples[index..<end])
            index = end
        }
        currentSamples.removeAll(keepingCapacity: true)
    }
}
