import Foundation
import Logging

/// How log lines are written: for people (`text`) or for log shippers (`json`, one object per line).
public enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// Bootstraps swift-log once for the process: all lines to standard error, at `level`, in `format`.
public func bootstrapLogging(level: Logger.Level, format: LogFormat) {
    LoggingSystem.bootstrap { label in
        var handler: any LogHandler =
            switch format {
            case .text: TextLogHandler(label: label)
            case .json: JSONLogHandler(label: label)
            }
        handler.logLevel = level
        return handler
    }
}

/// `2026-11-29T18:00:00.123Z warning vigil: message key=value …`
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(timestamp()) \(event.level) \(label): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            let value = "\(merged[key]!)"
            let needsQuotes = value.contains(" ") || value.isEmpty
            line += " \(key)=" + (needsQuotes ? "\"\(value)\"" : value)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// `{"ts":"…","level":"warning","logger":"vigil","msg":"…","key":"value"}` per line.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: String] = ["ts": timestamp(), "level": "\(event.level)", "logger": label, "msg": "\(event.message)"]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) where object[key] == nil {
            object[key] = "\(value)"
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

private func timestamp() -> String {
    Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
}
