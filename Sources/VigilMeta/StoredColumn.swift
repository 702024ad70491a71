import Foundation

/// How values that SQLite has no type for are stored: dates as integer microseconds since the Unix
/// epoch, fingerprint lists as comma-separated 16-digit hex (see docs/format/meta.md).
enum StoredColumn {
    /// Microseconds since 1970-01-01T00:00:00Z; Foundation's `Date` carries no finer precision for
    /// present-day times.
    static func microseconds(_ date: Date, field: String, path: String) throws(MetaError) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard value.isFinite, let microseconds = Int64(exactly: value) else {
            throw MetaError(
                .invalidRecord, "\(field) \(date) cannot be stored (outside the representable range)", path: path)
        }
        return microseconds
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    static func fingerprints(_ values: [UInt64]) -> String {
        values.map { value in
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined(separator: ",")
    }

    static func fingerprints(_ text: String, column: String, path: String) throws(MetaError) -> [UInt64] {
        if text.isEmpty { return [] }
        var values: [UInt64] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count == 16, let value = UInt64(part, radix: 16) else {
                throw MetaError(
                    .invalidRow,
                    "notification_log.\(column) holds \"\(part)\", which is not a 16-digit hex fingerprint",
                    path: path)
            }
            values.append(value)
        }
        return values
    }
}
