import Foundation
import GRDB

/// The metadata database of `vigil server` (`<data-dir>/meta.sqlite`): silences and the notification log.
///
/// One value wraps one GRDB writer, which is already `Sendable` and serialises writes itself, so the
/// struct is shared freely between tasks. The append-only migrations run in `init`; the schema is
/// documented in `docs/format/meta.md`.
public struct MetaDatabase: Sendable {
    let writer: any DatabaseWriter
    /// The file, or `:memory:`; every ``MetaError`` names it.
    public let path: String

    /// Opens (creating when absent) the database file at `path` in WAL mode and migrates it.
    /// The directory must exist.
    public init(path: String) throws(MetaError) {
        self.path = path
        var configuration = Self.configuration()
        // The pool's readers run concurrently with the writer (WAL); the server's API reads while the
        // notification pipeline writes.
        configuration.maximumReaderCount = 4
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        try migrate()
    }

    /// A private in-memory database, for tests and `--data-dir`-less runs.
    public static func inMemory() throws(MetaError) -> MetaDatabase {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            return try MetaDatabase(writer: queue, path: ":memory:")
        } catch let error as MetaError {
            throw error
        } catch {
            throw Self.openError(error, path: ":memory:")
        }
    }

    private init(writer: any DatabaseWriter, path: String) throws(MetaError) {
        self.writer = writer
        self.path = path
        try migrate()
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "vigil-meta"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    private func migrate() throws(MetaError) {
        do {
            try Self.migrator.migrate(writer)
        } catch let error as DatabaseError {
            throw MetaError(error, path: path, doing: "migrating the schema", defaultCode: .migration)
        } catch {
            throw MetaError(.migration, "migrating the schema failed: \(error)", path: path)
        }
        do {
            if try writer.read({ try Self.migrator.hasBeenSuperseded($0) }) {
                throw MetaError(
                    .migration,
                    "the database was written by a newer Vigil (it has migrations this version does not know); "
                        + "run the newer version or restore a backup",
                    path: path)
            }
        } catch let error as MetaError {
            throw error
        } catch {
            throw MetaError(.migration, "reading the applied migrations failed: \(error)", path: path)
        }
    }

    private static func openError(_ error: any Error, path: String) -> MetaError {
        if let error = error as? DatabaseError {
            return MetaError(error, path: path, doing: "opening the database", defaultCode: .cannotOpen)
        }
        return MetaError(.cannotOpen, "opening the database failed: \(error)", path: path)
    }

    /// Runs `body` in a write transaction, mapping SQLite's errors to ``MetaError``.
    func write<T>(_ doing: String, _ body: (Database) throws -> T) throws(MetaError) -> T {
        do {
            return try writer.write(body)
        } catch let error as MetaError {
            throw error
        } catch let error as DatabaseError {
            throw MetaError(error, path: path, doing: doing, defaultCode: .database)
        } catch {
            throw MetaError(.database, "\(doing) failed: \(error)", path: path)
        }
    }

    /// Runs `body` on a read-only snapshot, mapping SQLite's errors to ``MetaError``.
    func read<T>(_ doing: String, _ body: (Database) throws -> T) throws(MetaError) -> T {
        do {
            return try writer.read(body)
        } catch let error as MetaError {
            throw error
        } catch let error as DatabaseError {
            throw MetaError(error, path: path, doing: doing, defaultCode: .database)
        } catch {
            throw MetaError(.database, "\(doing) failed: \(error)", path: path)
        }
    }
}

extension MetaError {
    /// Classifies SQLite's result code and keeps SQLite's message.
    init(_ error: DatabaseError, path: String, doing: String, defaultCode: Code) {
        let primary = error.resultCode.primaryResultCode
        let sqliteMessage = error.message ?? "\(error.resultCode)"
        let code: Code
        let advice: String
        switch primary {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            code = .corrupt
            advice = "the file is not a Vigil metadata database or is damaged; move it away to start afresh"
        case .SQLITE_READONLY:
            code = .readOnly
            advice = "the file or its directory is read-only; make both writable by the server's user"
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            code = .cannotOpen
            advice = "check that the directory exists and that the server's user may create and write files in it"
        case .SQLITE_FULL:
            code = .database
            advice = "the disk is full"
        default:
            code = defaultCode
            advice = ""
        }
        var message = "\(doing) failed: \(sqliteMessage) (SQLite code \(error.resultCode.rawValue))"
        if !advice.isEmpty { message += "; \(advice)" }
        self.init(code, message, path: path, sqliteCode: primary.rawValue)
    }
}
