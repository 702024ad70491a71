import Foundation
import Logging

/// How log lines are written: for people (`text`) or for log shippers (`json`, one object per line).
public enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// Bootstraps swift-log once for the process: all lines to standard error, at `level`, in `format`.
public func bootstrapLogging(level: Logger.Level, format: LogFormat) {
    LoggingSystem.bootstrap { label in
        var handler = VigilLogHandler(label: label, format: format)
        handler.logLevel = level
        return handler
    }
}

/// Writes one line per event to standard error:
/// - text: `2026-11-29T18:00:00.123Z warning vigil.agent: message key=value …`
/// - json: `{"level":"warning","logger":"vigil.agent","msg":"…","ts":"…","key":"value"}`
public struct VigilLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: LogFormat

    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        FileHandle.standardError.write(Data((render(event, merged) + "\n").utf8))
    }

    func render(_ event: LogEvent, _ merged: Logger.Metadata) -> String {
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        switch format {
        case .text:
            var line = "\(time) \(event.level) \(label): \(event.message)"
            for key in merged.keys.sorted() {
                let value = "\(merged[key]!)"
                line += " \(key)=" + (value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value)
            }
            return line
        case .json:
            var object = ["ts": time, "level": "\(event.level)", "logger": label, "msg": "\(event.message)"]
            for (key, value) in merged where object[key] == nil { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
