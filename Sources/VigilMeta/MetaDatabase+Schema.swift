import GRDB

extension MetaDatabase {
    /// Append-only: a released migration is never edited, only followed by a new one
    /// (docs/format/meta.md lists them).
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: silences and notification log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE silence (
                        id TEXT PRIMARY KEY NOT NULL,
                        starts_at INTEGER NOT NULL,
                        ends_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL,
                        comment TEXT NOT NULL
                    );
                    CREATE INDEX silence_ends_at ON silence(ends_at);
                    CREATE TABLE silence_matcher (
                        silence_id TEXT NOT NULL REFERENCES silence(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        value TEXT NOT NULL,
                        is_regex INTEGER NOT NULL,
                        is_equal INTEGER NOT NULL,
                        PRIMARY KEY (silence_id, position)
                    );
                    CREATE TABLE notification_log (
                        group_key TEXT NOT NULL,
                        receiver_name TEXT NOT NULL,
                        integration TEXT NOT NULL,
                        integration_index INTEGER NOT NULL,
                        firing_alerts TEXT NOT NULL,
                        resolved_alerts TEXT NOT NULL,
                        timestamp INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        PRIMARY KEY (group_key, receiver_name, integration, integration_index)
                    );
                    CREATE INDEX notification_log_expires_at ON notification_log(expires_at);
                    """)
        }
        registerJobSummaryMigrations(&migrator)
        return migrator
    }()
}
