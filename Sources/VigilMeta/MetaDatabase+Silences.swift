import Foundation
import GRDB

extension MetaDatabase {
    /// Every stored silence, expired ones included, ordered by id; matchers in their stored order.
    public func silences() throws(MetaError) -> [SilenceRecord] {
        try read("reading silences") { db in
            var matchers: [String: [SilenceMatcherRecord]] = [:]
            let matcherRows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT silence_id, name, value, is_regex, is_equal FROM silence_matcher ORDER BY silence_id, position"
            )
            while let row = try matcherRows.next() {
                let matcher = SilenceMatcherRecord(
                    name: row["name"], value: row["value"], isRegex: row["is_regex"], isEqual: row["is_equal"])
                matchers[row["silence_id"], default: []].append(matcher)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM silence ORDER BY id").map { row in
                let id: String = row["id"]
                return SilenceRecord(
                    id: id, matchers: matchers[id] ?? [],
                    startsAt: StoredColumn.date(microseconds: row["starts_at"]),
                    endsAt: StoredColumn.date(microseconds: row["ends_at"]),
                    updatedAt: StoredColumn.date(microseconds: row["updated_at"]),
                    createdBy: row["created_by"], comment: row["comment"])
            }
        }
    }

    /// Inserts the silence, or replaces the stored one with the same id (matchers included).
    public func saveSilence(_ silence: SilenceRecord) throws(MetaError) {
        guard !silence.id.isEmpty else {
            throw MetaError(.invalidRecord, "a silence needs a non-empty id", path: path)
        }
        let startsAt = try StoredColumn.microseconds(
            silence.startsAt, field: "silence \(silence.id) startsAt", path: path)
        let endsAt = try StoredColumn.microseconds(silence.endsAt, field: "silence \(silence.id) endsAt", path: path)
        let updatedAt = try StoredColumn.microseconds(
            silence.updatedAt, field: "silence \(silence.id) updatedAt", path: path)
        try write("saving silence \(silence.id)") { db in
            try db.execute(
                sql: """
                    INSERT INTO silence (id, starts_at, ends_at, updated_at, created_by, comment)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET
                        starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                        updated_at = excluded.updated_at, created_by = excluded.created_by,
                        comment = excluded.comment
                    """,
                arguments: [silence.id, startsAt, endsAt, updatedAt, silence.createdBy, silence.comment])
            try db.execute(sql: "DELETE FROM silence_matcher WHERE silence_id = ?", arguments: [silence.id])
            for (position, matcher) in silence.matchers.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO silence_matcher (silence_id, position, name, value, is_regex, is_equal)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        silence.id, position, matcher.name, matcher.value, matcher.isRegex, matcher.isEqual,
                    ])
            }
        }
    }

    /// Deletes the silences whose `endsAt` lies before `date` (Alertmanager's garbage collection after
    /// the retention); returns how many.
    public func deleteSilences(endedBefore date: Date) throws(MetaError) -> Int {
        let limit = try StoredColumn.microseconds(date, field: "endedBefore", path: path)
        return try write("deleting ended silences") { db in
            try db.execute(sql: "DELETE FROM silence WHERE ends_at < ?", arguments: [limit])
            return db.changesCount
        }
    }
}
