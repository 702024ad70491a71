/// The error of the metadata database: what went wrong, with the database file it concerns and, when
/// SQLite answered, SQLite's own message and result code.
public struct MetaError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The database file cannot be opened or created (missing directory, no permission).
        case cannotOpen
        /// The directory or file is read-only, so the database cannot be written.
        case readOnly
        /// The file is not an SQLite database, or its pages are damaged.
        case corrupt
        /// The schema could not be brought up to date (a migration failed), or the file was written by a
        /// newer Vigil whose migrations this one does not know.
        case migration
        /// A record handed in cannot be stored (an empty silence id, a date outside the storable range).
        case invalidRecord
        /// A stored row cannot be read back (a damaged fingerprint list).
        case invalidRow
        /// Any other SQLite failure (disk full, I/O error, busy beyond the timeout).
        case database
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// The database file (`:memory:` for an in-memory database).
    public var path: String
    /// SQLite's primary result code, when SQLite reported the failure (e.g. 26 `SQLITE_NOTADB`).
    public var sqliteCode: Int32?

    public init(_ code: Code, _ message: String, path: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.sqliteCode = sqliteCode
    }

    public var description: String { "\(path): \(message)" }
}
