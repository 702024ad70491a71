/// The two text exposition formats Vigil reads and writes.
public enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4, as node_exporter and client_golang write it.
    case text
    /// OpenMetrics 1.0 text.
    case openMetrics

    /// The Content-Type header value a response in this format carries.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format of a scraped response, from its Content-Type header value.
    ///
    /// `application/openmetrics-text` is ``openMetrics``; anything else, or no header, is ``text``,
    /// the fallback Prometheus uses too.
    public init(contentType: String?) {
        guard let contentType, let mediaType = contentType.split(separator: ";", omittingEmptySubsequences: false).first
        else {
            self = .text
            return
        }
        self = mediaType.trimmingBlanks().lowercased() == "application/openmetrics-text" ? .openMetrics : .text
    }
}

extension ExpositionFormat {
    /// Picks the format to answer a scrape with, from its HTTP `Accept` header.
    ///
    /// `application/openmetrics-text` with `version` 1.0.0, 0.0.1 or none selects ``openMetrics``;
    /// `text/plain`, `text/*` and `*/*` select ``text``. The highest `q` wins, then the more specific
    /// media range, then the earlier one; `q=0` excludes a format. With no usable preference the answer is
    /// ``text``, which every scraper understands.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var candidates: [Candidate] = []
        var excluded: Set<ExpositionFormat> = []
        for (index, range) in accept.split(separator: ",").enumerated() {
            guard let candidate = Candidate(mediaRange: range, index: index) else { continue }
            if candidate.quality <= 0 {
                if let format = candidate.format { excluded.insert(format) }
            } else {
                candidates.append(candidate)
            }
        }
        let ranked = candidates.sorted { lhs, rhs in
            if lhs.quality != rhs.quality { return lhs.quality > rhs.quality }
            if lhs.specificity != rhs.specificity { return lhs.specificity > rhs.specificity }
            return lhs.index < rhs.index
        }
        for candidate in ranked {
            if let format = candidate.format {
                if !excluded.contains(format) { return format }
            } else if let format = [ExpositionFormat.text, .openMetrics].first(where: { !excluded.contains($0) }) {
                // `*/*` takes whichever format is not excluded, text first.
                return format
            }
        }
        return .text
    }

    /// One media range of an `Accept` header, reduced to what negotiation needs.
    private struct Candidate {
        /// The format the range selects; nil for `*/*`, which accepts either.
        var format: ExpositionFormat?
        var quality: Double
        /// 2 for a full media type, 1 for `type/*`, 0 for `*/*`.
        var specificity: Int
        var index: Int

        init?(mediaRange: Substring, index: Int) {
            var parts = mediaRange.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
            guard let mediaType = parts.next()?.trimmingBlanks().lowercased() else { return nil }
            var quality = 1.0
            var version: Substring?
            while let parameter = parts.next() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let key = pair[0].trimmingBlanks().lowercased()
                var value = pair[1].trimmingBlanks()
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
                switch key {
                case "q": quality = min(max(Double(value) ?? 0, 0), 1)
                case "version": version = value
                default: break
                }
            }
            switch mediaType {
            case "application/openmetrics-text":
                guard version == nil || version == "1.0.0" || version == "0.0.1" else { return nil }
                format = .openMetrics
                specificity = 2
            case "text/plain":
                format = .text
                specificity = 2
            case "text/*":
                format = .text
                specificity = 1
            case "*/*":
                format = nil
                specificity = 0
            default:
                return nil
            }
            self.quality = quality
            self.index = index
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingBlanks() -> SubSequence {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex..<endIndex]
        }
        return self[first...last]
    }
}
