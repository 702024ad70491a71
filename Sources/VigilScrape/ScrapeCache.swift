import VigilConfig
import VigilExposition
import VigilModel
import VigilStorage

/// How one target's samples are labelled, limited and timestamped; fixed for the life of its loop.
struct AppendSettings: Sendable {
    /// The target's labels after relabelling, without the `__` ones.
    var targetLabels: Labels
    var honorLabels: Bool
    var honorTimestamps: Bool
    /// Whether series exposed with their own timestamps get staleness markers too.
    var trackTimestampsStaleness: Bool
    var metricRelabelConfigs: [RelabelConfig]
    var limits: ScrapeLimits
}

/// The counts a scrape reports in its report series.
struct AppendResult: Sendable, Equatable {
    /// Samples in the exposition (`scrape_samples_scraped`).
    var scraped = 0
    /// Samples left after metric relabelling (`scrape_samples_post_metric_relabeling`).
    var added = 0
    /// Series not in the previous scrapes' cache (`scrape_series_added`).
    var seriesAdded = 0
    /// Samples the storage refused for their timestamps (out of order, duplicate, too old).
    var rejected = 0
}

/// One target's memory between scrapes, as Prometheus's `scrapeCache`.
///
/// Each raw series of the exposition (metric name + labels as exposed) maps to the final labels after
/// target labels and metric relabelling, and to the storage's ``SeriesRef``: a repeated scrape appends
/// by reference, without building, relabelling or looking up labels again. The same entries tell which
/// series the previous scrape had, for staleness markers, and the family metadata the target exposes.
struct ScrapeCache {
    private struct SeriesKey: Hashable {
        var name: String
        var labels: Labels
    }

    private struct Entry {
        /// The stored labels; nil when metric relabelling drops the series.
        var labels: Labels?
        var ref: SeriesRef?
        /// The iteration that last saw the series, and the one before it (to undo a failed scrape).
        var lastSeen: UInt64
        var previousSeen: UInt64
        /// False when the last scrape exposed the sample with its own timestamp (and
        /// `track_timestamps_staleness` is off): Prometheus writes no staleness marker then.
        var tracksStaleness = true
    }

    private struct MetadataEntry {
        var metadata: MetricMetadata
        var lastSeen: UInt64
    }

    /// The report series' names, in the order ``appendReport(to:timestamp:values:)`` takes their values.
    static let reportNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]

    private var entries: [SeriesKey: Entry] = [:]
    /// Counts scrapes; 0 means "never seen".
    private var iteration: UInt64 = 0
    private var seenThisIteration = 0
    private var metadataEntries: [String: MetadataEntry] = [:]
    private var reportLabels: [Labels]
    private var reportRefs: [SeriesRef?]
    /// Set when the metadata changed since ``takeMetadataIfChanged()`` last returned it.
    private var metadataChanged = false

    init(targetLabels: Labels) {
        // As Prometheus's mutateReportSampleLabels: the target's labels win over the report's name.
        reportLabels = Self.reportNames.map { name in
            Labels(targetLabels.pairs.filter { $0.name != metricNameLabel } + [Label(metricNameLabel, name)])
        }
        reportRefs = Array(repeating: nil, count: Self.reportNames.count)
    }

    /// How many series the cache holds (those of the last scrape, plus dropped ones).
    var seriesCount: Int { entries.count }

    // MARK: - Appending a scrape

    /// Starts a scrape attempt; every attempt counts, failed ones included.
    mutating func beginIteration() {
        iteration += 1
        seenThisIteration = 0
    }

    /// Appends one scrape's samples, and staleness markers for the series the previous scrape had and
    /// this one lacks. On a returned error the caller rolls the appender back and calls
    /// ``abandonIteration()``; the counts are still what the report series show.
    mutating func append(
        from source: inout some ScrapeEntrySource, to appender: any Appender, timestamp: Int64,
        settings: AppendSettings
    ) -> (AppendResult, ScrapeError?) {
        var result = AppendResult()
        var failure: ScrapeError?
        let sampleLimit = settings.limits.sampleLimit
        do {
            while let entry = try source.nextEntry() {
                switch entry {
                case .sample(let sample):
                    result.scraped += 1
                    // Past a limit, keep reading only to count what the target exposes, as Prometheus does.
                    if failure != nil { continue }
                    try appendSample(sample, to: appender, timestamp: timestamp, settings: settings, &result)
                    if sampleLimit > 0 && result.added > sampleLimit {
                        failure = .limit(
                            "sample_limit exceeded: the scrape has more than \(sampleLimit) samples after metric "
                                + "relabelling (sample_limit: \(sampleLimit)); nothing of it was stored")
                    }
                case .type(let family, let type):
                    noteMetadata(family) { $0.type = type }
                case .help(let family, let text):
                    noteMetadata(family) { $0.help = text }
                case .unit(let family, let unit):
                    noteMetadata(family) { $0.unit = unit }
                case .comment, .eof:
                    continue
                }
            }
            if failure == nil {
                try appendStaleMarkers(absentSince: iteration - 1, to: appender, timestamp: timestamp)
            }
        } catch {
            failure = error
        }
        return (result, failure)
    }

    private mutating func appendSample(
        _ sample: MetricSample, to appender: any Appender, timestamp defaultTimestamp: Int64,
        settings: AppendSettings, _ result: inout AppendResult
    ) throws(ScrapeError) {
        let explicitTimestamp = settings.honorTimestamps ? sample.timestampMs : nil
        let timestamp = explicitTimestamp ?? defaultTimestamp
        let tracksStaleness = explicitTimestamp == nil || settings.trackTimestampsStaleness
        let key = SeriesKey(name: sample.name, labels: sample.labels)
        if let index = entries.index(forKey: key) {
            entries.values[index].tracksStaleness = tracksStaleness
            if entries.values[index].lastSeen != iteration {
                entries.values[index].previousSeen = entries.values[index].lastSeen
                entries.values[index].lastSeen = iteration
                seenThisIteration += 1
            }
            guard let labels = entries.values[index].labels else { return }
            result.added += 1
            if let ref = entries.values[index].ref {
                do {
                    try appender.append(ref, timestamp: timestamp, value: sample.value)
                    return
                } catch  where error.code == .unknownSeriesReference {
                    // The storage dropped the series (head compaction): append by labels below.
                } catch {
                    try Self.handle(error, &result)
                    return
                }
            }
            entries.values[index].ref = try Self.append(labels, timestamp, sample.value, to: appender, &result)
            return
        }
        let labels = try Self.seriesLabels(of: sample, settings: settings)
        var entry = Entry(
            labels: labels, ref: nil, lastSeen: iteration, previousSeen: 0, tracksStaleness: tracksStaleness)
        seenThisIteration += 1
        if let labels {
            try Self.checkLabelLimits(labels, settings.limits)
            result.added += 1
            entry.ref = try Self.append(labels, timestamp, sample.value, to: appender, &result)
            result.seriesAdded += 1
        }
        entries[key] = entry
    }

    /// Appends by labels; nil when the storage refused the sample for its timestamp.
    private static func append(
        _ labels: Labels, _ timestamp: Int64, _ value: Double, to appender: any Appender, _ result: inout AppendResult
    ) throws(ScrapeError) -> SeriesRef? {
        do {
            return try appender.append(labels, timestamp: timestamp, value: value)
        } catch {
            try handle(error, &result)
            return nil
        }
    }

    /// Timestamp problems cost one sample, as in Prometheus; anything else fails the scrape.
    private static func handle(_ error: StorageError, _ result: inout AppendResult) throws(ScrapeError) {
        switch error.code {
        case .outOfOrderSample, .duplicateSampleForTimestamp, .outOfBounds, .tooOldSample:
            result.rejected += 1
        default:
            throw ScrapeError(.storage, "the storage refused a scraped sample", cause: error)
        }
    }

    /// The labels a raw series is stored with: the exposed labels and name, the target's labels
    /// (`honor_labels` deciding clashes), then `metric_relabel_configs`. Nil when relabelling drops it.
    static func seriesLabels(of sample: MetricSample, settings: AppendSettings) throws(ScrapeError) -> Labels? {
        var labels = Labels(sample.labels.pairs + [Label(metricNameLabel, sample.name)])
        if settings.honorLabels {
            for label in settings.targetLabels where (labels[label.name] ?? "").isEmpty {
                labels = labels.setting(label.name, to: label.value)
            }
        } else {
            var conflicts: [Label] = []
            for label in settings.targetLabels {
                if let exposed = labels[label.name], !exposed.isEmpty {
                    conflicts.append(Label(label.name, exposed))
                }
                labels = labels.setting(label.name, to: label.value)
            }
            // Shorter names first, so `exported_job` of a clash on `job` is taken before a clash on
            // `exported_job` looks for its own name (Prometheus's resolveConflictingExposedLabels).
            let ordered = conflicts.enumerated().sorted {
                ($0.element.name.utf8.count, $0.offset) < ($1.element.name.utf8.count, $1.offset)
            }
            for (_, conflict) in ordered {
                var name = conflict.name
                repeat { name = "exported_" + name } while !(labels[name] ?? "").isEmpty
                labels = labels.setting(name, to: conflict.value)
            }
        }
        labels = Labels(labels.pairs.filter { !$0.value.isEmpty })
        if !settings.metricRelabelConfigs.isEmpty {
            guard let relabelled = Relabeling.process(labels, with: settings.metricRelabelConfigs) else { return nil }
            labels = relabelled
        }
        if labels.isEmpty { return nil }
        guard labels.metricName != nil else {
            throw ScrapeError(
                .invalidTarget,
                "metric_relabel_configs removed __name__ from \(sample.name)\(sample.labels): every series needs a metric name"
            )
        }
        return labels
    }

    /// `label_limit`, `label_name_length_limit`, `label_value_length_limit`, with Prometheus's messages.
    static func checkLabelLimits(_ labels: Labels, _ limits: ScrapeLimits) throws(ScrapeError) {
        let metric = String((labels.metricName ?? "").prefix(50))
        if limits.labelLimit > 0 && labels.count > limits.labelLimit {
            throw .limit(
                "label_limit exceeded (metric: \(metric), number of labels: \(labels.count), limit: \(limits.labelLimit))"
            )
        }
        guard limits.labelNameLengthLimit > 0 || limits.labelValueLengthLimit > 0 else { return }
        for label in labels {
            let nameLength = label.name.utf8.count
            if limits.labelNameLengthLimit > 0 && nameLength > limits.labelNameLengthLimit {
                throw .limit(
                    "label_name_length_limit exceeded (metric: \(metric), label name: \(label.name.prefix(50)), "
                        + "length: \(nameLength), limit: \(limits.labelNameLengthLimit))")
            }
            let valueLength = label.value.utf8.count
            if limits.labelValueLengthLimit > 0 && valueLength > limits.labelValueLengthLimit {
                throw .limit(
                    "label_value_length_limit exceeded (metric: \(metric), label name: \(label.name.prefix(50)), "
                        + "value: \"\(label.value.prefix(50))\", length: \(valueLength), limit: \(limits.labelValueLengthLimit))"
                )
            }
        }
    }

    // MARK: - After the scrape

    /// A successful scrape was committed: forget the series it did not have (their markers are written).
    mutating func commitIteration() {
        if entries.count > seenThisIteration {
            let current = iteration
            entries = entries.filter { $0.value.lastSeen == current }
        }
        if metadataEntries.count > 0 {
            let current = iteration
            let before = metadataEntries.count
            metadataEntries = metadataEntries.filter { $0.value.lastSeen == current }
            if metadataEntries.count != before { metadataChanged = true }
        }
    }

    /// A scrape failed and was rolled back: every series counts as absent now, so that the previous
    /// scrape's series get staleness markers (``appendStaleMarkersAfterFailure(to:timestamp:)``) and the
    /// next scrape starts from nothing.
    mutating func abandonIteration() {
        let current = iteration
        for index in entries.indices where entries.values[index].lastSeen == current {
            entries.values[index].lastSeen = entries.values[index].previousSeen
        }
    }

    /// Staleness markers for the series of the last successful scrape before a failed one.
    mutating func appendStaleMarkersAfterFailure(to appender: any Appender, timestamp: Int64) throws(ScrapeError) {
        try appendStaleMarkers(absentSince: iteration - 1, to: appender, timestamp: timestamp)
    }

    /// Staleness markers for every series of the last scrape and for the report series: the target is
    /// gone.
    mutating func appendEndOfRunStaleMarkers(to appender: any Appender, timestamp: Int64) throws(ScrapeError) {
        try appendStaleMarkers(absentSince: iteration, to: appender, timestamp: timestamp)
        var ignored = AppendResult()
        for index in reportLabels.indices {
            _ = try Self.append(reportLabels[index], timestamp, staleNaN, to: appender, &ignored)
        }
        entries.removeAll()
    }

    /// Markers for the series last seen in iteration `seen` (0: none).
    private mutating func appendStaleMarkers(
        absentSince seen: UInt64, to appender: any Appender, timestamp: Int64
    ) throws(ScrapeError) {
        guard seen > 0 else { return }
        var ignored = AppendResult()
        for index in entries.indices where entries.values[index].lastSeen == seen {
            guard let labels = entries.values[index].labels, entries.values[index].tracksStaleness else { continue }
            if let ref = entries.values[index].ref {
                do {
                    try appender.append(ref, timestamp: timestamp, value: staleNaN)
                    continue
                } catch  where error.code == .unknownSeriesReference {
                } catch {
                    try Self.handle(error, &ignored)
                    continue
                }
            }
            _ = try Self.append(labels, timestamp, staleNaN, to: appender, &ignored)
        }
    }

    /// Appends `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
    /// `scrape_samples_post_metric_relabeling` and `scrape_series_added`, in ``reportNames`` order.
    mutating func appendReport(to appender: any Appender, timestamp: Int64, values: [Double]) throws(ScrapeError) {
        var ignored = AppendResult()
        for index in reportLabels.indices {
            if let ref = reportRefs[index] {
                do {
                    try appender.append(ref, timestamp: timestamp, value: values[index])
                    continue
                } catch  where error.code == .unknownSeriesReference {
                } catch {
                    try Self.handle(error, &ignored)
                    continue
                }
            }
            reportRefs[index] = try Self.append(reportLabels[index], timestamp, values[index], to: appender, &ignored)
        }
    }

    // MARK: - Metadata

    private mutating func noteMetadata(_ family: String, _ update: (inout MetricMetadata) -> Void) {
        if let index = metadataEntries.index(forKey: family) {
            var metadata = metadataEntries.values[index].metadata
            metadataEntries.values[index].lastSeen = iteration
            update(&metadata)
            if metadata != metadataEntries.values[index].metadata {
                metadataEntries.values[index].metadata = metadata
                metadataChanged = true
            }
        } else {
            var metadata = MetricMetadata(type: .unknown, help: "", unit: "")
            update(&metadata)
            metadataEntries[family] = MetadataEntry(metadata: metadata, lastSeen: iteration)
            metadataChanged = true
        }
    }

    /// The target's metadata by family name, when it changed since the last call.
    mutating func takeMetadataIfChanged() -> [String: MetricMetadata]? {
        guard metadataChanged else { return nil }
        metadataChanged = false
        return metadataEntries.mapValues(\.metadata)
    }
}
