import VigilModel
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension StorageError.Code {
    /// Data read back from disk (a WAL record, a chunk) failed its checksum or did not decode.
    public static let corruption = Self("corruption")
    /// The operating system refused a file operation (open, write, fsync, rename).
    public static let io = Self("io")
    /// The head was used after ``Head/close()``.
    public static let closed = Self("closed")
}

extension StorageError {
    static func tsdbOutOfOrder(_ series: Labels, timestamp: Int64, last: Int64) -> StorageError {
        StorageError(
            .outOfOrderSample,
            "out of order sample for series \(series): timestamp \(timestamp) is before the series' newest sample at \(last)",
            series: series, timestamp: timestamp)
    }

    static func tsdbDuplicate(_ series: Labels, timestamp: Int64, value: Double, stored: Double) -> StorageError {
        StorageError(
            .duplicateSampleForTimestamp,
            "duplicate sample for timestamp \(timestamp) in series \(series): value \(describe(value)) differs from the stored \(describe(stored))",
            series: series, timestamp: timestamp)
    }

    static func tsdbOutOfBounds(_ series: Labels, timestamp: Int64, minValidTime: Int64) -> StorageError {
        StorageError(
            .outOfBounds,
            "out of bounds sample for series \(series): timestamp \(timestamp) is before the earliest accepted timestamp \(minValidTime)",
            series: series, timestamp: timestamp)
    }

    static func tsdbInvalidLabels(_ series: Labels, _ reason: String) -> StorageError {
        StorageError(.invalidLabels, "invalid labels \(series): \(reason)", series: series)
    }

    static func tsdbUnknownReference(_ ref: SeriesRef, timestamp: Int64) -> StorageError {
        StorageError(
            .unknownSeriesReference,
            "unknown series reference \(ref.rawValue) for the sample at \(timestamp): append it with its labels instead",
            timestamp: timestamp)
    }

    static func tsdbAppenderClosed(series: Labels?, timestamp: Int64?) -> StorageError {
        let what = series.map { " (series \($0))" } ?? ""
        return StorageError(
            .appenderClosed,
            "appender already committed or rolled back\(what): take a new appender for the next transaction",
            series: series, timestamp: timestamp)
    }

    static func io(_ operation: String, path: String, errno code: Int32) -> StorageError {
        StorageError(.io, "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    private static func describe(_ value: Double) -> String {
        if value.bitPattern == staleNaN.bitPattern { return "stale marker" }
        if value.isNaN { return "NaN (0x\(String(value.bitPattern, radix: 16)))" }
        return "\(value)"
    }
}
