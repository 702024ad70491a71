import VigilModel

/// The one error type of VigilStorage: a ``Code`` to branch and count on, a message a person can act on
/// (naming the series and timestamps involved), and the underlying cause when there is one.
///
/// Codes are an open set: an implementation such as the TSDB may add its own
/// (`extension StorageError.Code { static let corruption = Self("corruption") }`), so that every
/// reason can be counted the same way.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// Why an operation failed; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String

        public init(_ name: String) { self.name = name }

        /// A sample older than the newest sample of its series (and no out-of-order window takes it).
        public static let outOfOrderSample = Code("outOfOrderSample")
        /// A sample with the timestamp of a stored sample of its series but a different value (bit for bit).
        public static let duplicateSampleForTimestamp = Code("duplicateSampleForTimestamp")
        /// A sample before the earliest timestamp the storage accepts.
        public static let outOfBounds = Code("outOfBounds")
        /// An out-of-order sample older than the out-of-order window allows.
        public static let tooOldSample = Code("tooOldSample")
        /// A label set that cannot identify a series: empty, an empty or repeated name, no metric name.
        public static let invalidLabels = Code("invalidLabels")
        /// A configured limit (series count, label name or value length) would be exceeded.
        public static let limitExceeded = Code("limitExceeded")
        /// A series reference the storage does not know (never issued, or its series was dropped).
        public static let unknownSeriesReference = Code("unknownSeriesReference")
        /// An appender used after its ``Appender/commit()`` or ``Appender/rollback()``.
        public static let appenderClosed = Code("appenderClosed")

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// The series the error is about, when there is one.
    public var series: Labels?
    /// The sample timestamp (milliseconds) the error is about, when there is one.
    public var timestamp: Int64?
    /// The underlying error (an I/O failure, say), when there is one.
    public var cause: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, series: Labels? = nil, timestamp: Int64? = nil,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.series = series
        self.timestamp = timestamp
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

extension StorageError {
    public static func outOfOrder(_ series: Labels, timestamp: Int64, last: Int64) -> StorageError {
        StorageError(
            .outOfOrderSample,
            "out of order sample for series \(series): timestamp \(timestamp) is before the series' newest sample at \(last)",
            series: series, timestamp: timestamp)
    }

    public static func duplicate(_ series: Labels, timestamp: Int64, value: Double, stored: Double) -> StorageError {
        StorageError(
            .duplicateSampleForTimestamp,
            "duplicate sample for timestamp \(timestamp) in series \(series): value \(describe(value)) differs from the stored \(describe(stored))",
            series: series, timestamp: timestamp)
    }

    public static func outOfBounds(_ series: Labels, timestamp: Int64, minValidTime: Int64) -> StorageError {
        StorageError(
            .outOfBounds,
            "out of bounds sample for series \(series): timestamp \(timestamp) is before the earliest accepted timestamp \(minValidTime)",
            series: series, timestamp: timestamp)
    }

    public static func tooOld(_ series: Labels, timestamp: Int64, newest: Int64, window: Int64) -> StorageError {
        StorageError(
            .tooOldSample,
            "too old sample for series \(series): timestamp \(timestamp) is before \(newest - window), the newest timestamp \(newest) minus the out-of-order window of \(window) ms",
            series: series, timestamp: timestamp)
    }

    public static func invalidLabels(_ series: Labels, _ reason: String) -> StorageError {
        StorageError(.invalidLabels, "invalid labels \(series): \(reason)", series: series)
    }

    public static func unknownReference(_ ref: SeriesRef, timestamp: Int64) -> StorageError {
        StorageError(
            .unknownSeriesReference,
            "unknown series reference \(ref.rawValue) for the sample at \(timestamp): append it with its labels instead",
            timestamp: timestamp)
    }

    public static func appenderClosed(series: Labels?, timestamp: Int64?) -> StorageError {
        let what = series.map { " (series \($0))" } ?? ""
        return StorageError(
            .appenderClosed,
            "appender already committed or rolled back\(what): take a new appender for the next transaction",
            series: series, timestamp: timestamp)
    }

    /// A value as a person reads it; the staleness marker has its own name, other NaNs show their bits.
    private static func describe(_ value: Double) -> String {
        if value.bitPattern == staleNaN.bitPattern { return "stale marker" }
        if value.isNaN { return "NaN (0x\(String(value.bitPattern, radix: 16)))" }
        return "\(value)"
    }
}
