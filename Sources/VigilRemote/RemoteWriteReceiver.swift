import Logging
import Synchronization
import VigilEncoding
import VigilExposition
import VigilModel
import VigilStorage

/// The append path of `/api/v1/write`: checks the headers, decompresses, decodes and appends one
/// remote_write 1.0 request with the semantics of Prometheus 3.5's v1 write handler
/// (`storage/remote/write_handler.go`):
///
/// - `Content-Type` must be `application/x-protobuf` (absent means that); a `proto=` parameter other than
///   `prometheus.WriteRequest` is 415. `Content-Encoding` must be `snappy` (absent means that), else 415.
/// - A body that is not snappy, or does not decode as a `WriteRequest`, is 400; one over
///   ``Options/maxBodyBytes`` or decompressing to more than ``Options/maxDecompressedBytes`` is 413.
/// - A series without a metric name, with an empty label name or with a repeated label name is skipped and
///   its samples counted as `invalid_labels`; the rest of the request is stored.
/// - The first sample the storage refuses as out of order, duplicate (same timestamp, other value), out of
///   bounds (also: more than 10 minutes in the future) or too old makes the whole request 400 and nothing
///   of it is committed: remote_write 1.0 has no partial writes. Any other storage error is 500 (the sender
///   retries).
/// - Exemplars are counted and dropped (no exemplar storage); native histograms are counted and skipped.
///
/// Thread-safe; decoders and decompression buffers are pooled, so concurrent requests reuse their
/// capacity and interned label strings.
public final class RemoteWriteReceiver: Sendable {
    public struct Options: Sendable {
        /// The largest compressed body accepted.
        public var maxBodyBytes: Int
        /// The largest decompressed body accepted (checked against the snappy preamble before decoding).
        public var maxDecompressedBytes: Int
        /// Samples later than now plus this many milliseconds are out of bounds (Prometheus: 10 minutes).
        public var maxAheadMilliseconds: Int64

        public init(
            maxBodyBytes: Int = 32 << 20, maxDecompressedBytes: Int = 64 << 20,
            maxAheadMilliseconds: Int64 = 10 * 60 * 1000
        ) {
            self.maxBodyBytes = maxBodyBytes
            self.maxDecompressedBytes = maxDecompressedBytes
            self.maxAheadMilliseconds = maxAheadMilliseconds
        }
    }

    /// Why a sample was not stored.
    public enum RejectionReason: String, Sendable, CaseIterable, Comparable {
        /// Its series had no metric name, an empty label name or a repeated label name (series skipped).
        case invalidLabels = "invalid_labels"
        /// Older than its series' newest sample (request rejected).
        case outOfOrder = "out_of_order"
        /// The timestamp of a stored sample with another value (request rejected).
        case duplicateTimestamp = "duplicate_timestamp"
        /// Before the storage's earliest accepted time, or too far in the future (request rejected).
        case outOfBounds = "out_of_bounds"
        /// Older than the out-of-order window allows (request rejected).
        case tooOld = "too_old"
        /// The storage failed (request answered 500).
        case storage = "storage_error"
        /// Stored by the request, then rolled back because another sample of the request was refused.
        case rolledBack = "rolled_back"

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What one request held and what became of it.
    public struct Summary: Sendable, Equatable {
        public var series = 0
        public var samples = 0
        /// Samples stored (committed).
        public var appended = 0
        /// Samples not stored, by reason (a successful request only has ``RejectionReason/invalidLabels``).
        public var rejected: [RejectionReason: Int] = [:]
        /// Exemplars received and dropped.
        public var exemplars = 0
        /// Native histograms received and skipped.
        public var histograms = 0
        /// Metadata entries received.
        public var metadata = 0

        public init() {}
    }

    /// Totals since start, for `/metrics`.
    struct Totals {
        var requests: [Int: Int] = [:]
        var samples = 0
        var appended = 0
        var rejected: [RejectionReason: Int] = [:]
        var exemplars = 0
        var histograms = 0
        var metadata = 0
    }

    /// A decoder and a decompression buffer, reused by one request at a time.
    struct Scratch: Sendable {
        var decoder = RemoteWriteDecoder()
        var decompressed: [UInt8] = []
    }

    public static let protobufContentType = "application/x-protobuf"
    public static let v1Message = "prometheus.WriteRequest"
    public static let v2Message = "io.prometheus.write.v2.Request"

    public let options: Options
    private let appendable: any Appendable
    private let logger: Logger
    private let nowMilliseconds: @Sendable () -> Int64
    private let totals = Mutex(Totals())
    private let pool = Mutex([Scratch]())

    /// - Parameter nowMilliseconds: the wall clock (ms since the epoch), injectable for tests of the
    ///   future-timestamp limit.
    public init(
        appendable: any Appendable, options: Options = Options(), logger: Logger = Logger(label: "vigil.remote-write"),
        nowMilliseconds: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds
    ) {
        self.appendable = appendable
        self.options = options
        self.logger = logger
        self.nowMilliseconds = nowMilliseconds
    }

    /// Handles one request body with its `Content-Type` and `Content-Encoding` header values. A thrown
    /// error's ``RemoteWriteError/httpStatus`` and message are the answer; otherwise answer 204.
    public func receive(
        body: [UInt8], contentType: String?, contentEncoding: String?
    ) throws(RemoteWriteError) -> Summary {
        do {
            let summary = try handle(body: body, contentType: contentType, contentEncoding: contentEncoding)
            totals.withLock { $0.requests[204, default: 0] += 1 }
            return summary
        } catch {
            totals.withLock { $0.requests[error.httpStatus, default: 0] += 1 }
            throw error
        }
    }

    private func handle(
        body: [UInt8], contentType: String?, contentEncoding: String?
    ) throws(RemoteWriteError) -> Summary {
        try Self.checkContentType(contentType)
        try Self.checkContentEncoding(contentEncoding)
        guard body.count <= options.maxBodyBytes else {
            throw RemoteWriteError(
                .tooLarge, "request body of \(body.count) bytes is over the limit of \(options.maxBodyBytes) bytes")
        }
        var scratch = pool.withLock { $0.popLast() } ?? Scratch()
        defer {
            // Keep the capacity of ordinary requests; give back the memory of an unusually large one.
            scratch.decompressed.removeAll(keepingCapacity: scratch.decompressed.capacity <= 8 << 20)
            let returned = scratch
            pool.withLock { if $0.count < 8 { $0.append(returned) } }
        }
        scratch.decompressed.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            try Snappy.decompress(
                body, appendingTo: &scratch.decompressed, maxDecodedLength: options.maxDecompressedBytes)
        } catch {
            if error.code == .tooLarge {
                throw RemoteWriteError(.tooLarge, "snappy: \(error)")
            }
            throw RemoteWriteError(.badCompression, "snappy: \(error)")
        }
        do throws(ExpositionError) {
            try scratch.decoder.decode(scratch.decompressed)
        } catch {
            throw RemoteWriteError(.badProtobuf, "protobuf: \(error)")
        }
        return try append(scratch.decoder)
    }

    /// What Prometheus 3.5's `parseProtoMsg` accepts, for remote_write 1.0 only.
    static func checkContentType(_ header: String?) throws(RemoteWriteError) {
        let value = trimmed(header ?? "")
        if value.isEmpty { return }
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        guard parts[0] == protobufContentType else {
            throw RemoteWriteError(
                .unsupportedMediaType,
                "expected \(protobufContentType) as the first (media) part, got \(value) content-type")
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2 else {
                throw RemoteWriteError(
                    .unsupportedMediaType,
                    "expected parameters to be key-values (RFC 9110), got \(parameter) in \(value) content-type")
            }
            guard trimmed(String(pair[0])) == "proto" else { continue }
            let message = trimmed(String(pair[1]))
            if message == v1Message { return }
            if message == v2Message {
                throw RemoteWriteError(
                    .unsupportedMediaType,
                    "\(v2Message) protobuf message is not accepted by this server; accepted [\(v1Message)]")
            }
            throw RemoteWriteError(
                .unsupportedMediaType,
                "got \(value) content type; unknown remote write protobuf message \(message), supported: \(v1Message), \(v2Message)"
            )
        }
    }

    static func checkContentEncoding(_ header: String?) throws(RemoteWriteError) {
        let value = trimmed(header ?? "")
        guard value.isEmpty || value.lowercased() == "snappy" else {
            throw RemoteWriteError(
                .unsupportedMediaType,
                "\(value) encoding (compression) is not accepted by this server; only snappy is acceptable")
        }
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    // MARK: - Appending

    private func append(_ decoder: RemoteWriteDecoder) throws(RemoteWriteError) -> Summary {
        var summary = Summary()
        summary.series = decoder.series.count
        summary.samples = decoder.samples.count
        summary.exemplars = decoder.exemplars.count
        summary.histograms = decoder.histogramCount
        summary.metadata = decoder.metadata.count
        let maxTime = nowMilliseconds() &+ options.maxAheadMilliseconds
        let appender = appendable.appender()
        var invalidSeries = 0
        var seriesLabels: [Label] = []
        for series in decoder.series {
            seriesLabels.removeAll(keepingCapacity: true)
            seriesLabels.append(contentsOf: decoder.labels[series.labels])
            if let problem = Self.labelProblem(seriesLabels) {
                invalidSeries += 1
                summary.rejected[.invalidLabels, default: 0] += series.samples.count
                logger.warning(
                    "Invalid metric name or labels; series skipped",
                    metadata: [
                        "labels": "\(Labels(seriesLabels))", "problem": "\(problem)",
                        "samples": "\(series.samples.count)",
                    ])
                continue
            }
            guard !series.samples.isEmpty else { continue }
            let labels = Labels(seriesLabels)
            var ref: SeriesRef?
            for sample in decoder.samples[series.samples] {
                do throws(StorageError) {
                    guard sample.timestamp <= maxTime else {
                        throw StorageError(
                            .outOfBounds,
                            "out of bounds sample for series \(labels): timestamp \(sample.timestamp) is too far in the future (after \(maxTime), \(options.maxAheadMilliseconds) ms from now)",
                            series: labels, timestamp: sample.timestamp)
                    }
                    if let ref {
                        try appender.append(ref, timestamp: sample.timestamp, value: sample.value)
                    } else {
                        ref = try appender.append(labels, timestamp: sample.timestamp, value: sample.value)
                    }
                    summary.appended += 1
                } catch {
                    throw fail(error, summary: summary, appender: appender)
                }
            }
        }
        do throws(StorageError) {
            try appender.commit()
        } catch {
            logger.error("Remote write commit failed", metadata: ["error": "\(error)"])
            record(summary, rejected: [.storage: summary.appended])
            throw RemoteWriteError(.storage, "commit: \(error)")
        }
        if invalidSeries > 0 {
            logger.debug("Series with invalid labels skipped", metadata: ["series": "\(invalidSeries)"])
        }
        record(summary, rejected: [:])
        return summary
    }

    /// Rolls the request back and turns the storage error into the answer, as Prometheus does.
    private func fail(_ error: StorageError, summary: Summary, appender: any Appender) -> RemoteWriteError {
        try? appender.rollback()
        let reason: RejectionReason
        switch error.code {
        case .outOfOrderSample: reason = .outOfOrder
        case .duplicateSampleForTimestamp: reason = .duplicateTimestamp
        case .outOfBounds: reason = .outOfBounds
        case .tooOldSample: reason = .tooOld
        default: reason = .storage
        }
        var rejected: [RejectionReason: Int] = [reason: 1]
        if summary.appended > 0 { rejected[.rolledBack] = summary.appended }
        record(summary, rejected: rejected, committed: false)
        if reason == .storage {
            logger.error("Error while remote writing the v1 request", metadata: ["error": "\(error)"])
            return RemoteWriteError(.storage, "\(error)")
        }
        logger.error(
            "Out of order sample from remote write; request rejected",
            metadata: ["error": "\(error.message)", "rolledBackSamples": "\(summary.appended)"])
        return RemoteWriteError(.rejected, error.message)
    }

    private func record(_ summary: Summary, rejected: [RejectionReason: Int], committed: Bool = true) {
        totals.withLock { totals in
            totals.samples += summary.samples
            if committed { totals.appended += summary.appended }
            for (reason, count) in summary.rejected { totals.rejected[reason, default: 0] += count }
            for (reason, count) in rejected { totals.rejected[reason, default: 0] += count }
            totals.exemplars += summary.exemplars
            totals.histograms += summary.histograms
            totals.metadata += summary.metadata
        }
    }

    /// Why Prometheus would skip a series with these labels, or nil when it would not.
    static func labelProblem(_ labels: [Label]) -> String? {
        var hasName = false
        for label in labels {
            if label.name.isEmpty { return "empty label name" }
            if label.name == metricNameLabel {
                guard !label.value.isEmpty else { return "empty metric name" }
                hasName = true
            }
        }
        guard hasName else { return "no metric name" }
        if labels.count > 1 {
            var names = labels.map(\.name)
            names.sort()
            for index in 1..<names.count where names[index] == names[index - 1] {
                return "duplicate label name \"\(names[index])\""
            }
        }
        return nil
    }

    // MARK: - Metrics

    /// The receiver's own metrics, for the server's `/metrics`.
    public func metricFamilies() -> [MetricFamily] {
        let totals = self.totals.withLock { $0 }
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
            MetricFamily(
                name: name, type: .counter, help: help, samples: [MetricSample(name: name, value: Double(value))])
        }
        return [
            MetricFamily(
                name: "vigil_remote_write_received_requests_total", type: .counter,
                help: "Remote write requests received, by HTTP status answered.",
                samples: totals.requests.keys.sorted().map { status in
                    MetricSample(
                        name: "vigil_remote_write_received_requests_total", labels: ["code": String(status)],
                        value: Double(totals.requests[status] ?? 0))
                }),
            counter(
                "vigil_remote_write_received_samples_total", "Samples received by remote write.", totals.samples),
            counter(
                "vigil_remote_write_appended_samples_total", "Samples received by remote write and stored.",
                totals.appended),
            MetricFamily(
                name: "vigil_remote_write_rejected_samples_total", type: .counter,
                help: "Samples received by remote write and not stored, by reason.",
                samples: RejectionReason.allCases.sorted().map { reason in
                    MetricSample(
                        name: "vigil_remote_write_rejected_samples_total", labels: ["reason": reason.rawValue],
                        value: Double(totals.rejected[reason] ?? 0))
                }),
            counter(
                "vigil_remote_write_dropped_exemplars_total", "Exemplars received by remote write and dropped.",
                totals.exemplars),
            counter(
                "vigil_remote_write_skipped_histograms_total",
                "Native histograms received by remote write and skipped (not supported).", totals.histograms),
            counter(
                "vigil_remote_write_received_metadata_total", "Metadata entries received by remote write.",
                totals.metadata),
        ]
    }
}
