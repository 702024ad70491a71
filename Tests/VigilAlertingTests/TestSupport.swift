import Foundation
import Synchronization
import VigilAlerting
import VigilModel

/// The shared fixtures directory (`../shared` beside the package root), or nil when absent.
func sharedDirectory() -> URL? {
    let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    let root = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
}

/// A notifier that records what it is given and fails the first `failures` calls.
final class RecordingNotifier: Notifier {
    let received = Mutex<[NotificationData]>([])
    let failures: Mutex<Int>
    let retryable: Bool

    init(failures: Int = 0, retryable: Bool = true) {
        self.failures = Mutex(failures)
        self.retryable = retryable
    }

    func notify(_ notification: NotificationData) async throws(NotifyError) {
        let fail = failures.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail { throw NotifyError(retryable: retryable, "induced failure", statusCode: 500) }
        received.withLock { $0.append(notification) }
    }

    var notifications: [NotificationData] { received.withLock { $0 } }
}

/// Integrations for every webhook config, all recording into `notifier`.
func webhookFactory(_ notifier: RecordingNotifier) -> IntegrationFactory {
    { receiver in
        receiver.webhookConfigs.enumerated().map { index, config in
            Integration(
                name: "webhook", index: index, sendResolved: config.sendResolved, maxAlerts: config.maxAlerts,
                notifier: notifier)
        }
    }
}

/// Python's `json.dumps(value, sort_keys=True)` for the values the normaliser prints.
enum PythonJSON {
    indirect enum Value {
        case string(String)
        case int(Int)
        case array([Value])
        case object([(String, Value)])
    }

    static func dumps(_ value: Value) -> String {
        switch value {
        case .string(let text): return quote(text)
        case .int(let number): return String(number)
        case .array(let elements): return "[" + elements.map(dumps).joined(separator: ", ") + "]"
        case .object(let pairs):
            return "{" + pairs.sorted { $0.0 < $1.0 }.map { quote($0.0) + ": " + dumps($0.1) }.joined(separator: ", ")
                + "}"
        }
    }

    static func labels(_ labels: Labels) -> Value { .object(labels.map { ($0.name, .string($0.value)) }) }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// `webhook_receiver.py --normalize` over a list of notifications in arrival order.
func normalize(_ notifications: [NotificationData]) -> String {
    var groups: [String: [String]] = [:]
    var keys: [(String, String)] = []
    for data in notifications {
        let groupLabels = PythonJSON.dumps(PythonJSON.labels(data.groupLabels))
        let key = data.receiver + "\u{0}" + groupLabels
        if groups[key] == nil { keys.append((data.receiver, groupLabels)) }
        var alerts: [(String, String)] = data.alerts.map { alert in
            (alert.status.rawValue, PythonJSON.dumps(PythonJSON.labels(alert.labels)))
        }
        alerts.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let alertValues: [PythonJSON.Value] = alerts.map { pair in
            PythonJSON.Value.array([PythonJSON.Value.string(pair.0), PythonJSON.Value.string(pair.1)])
        }
        let line = PythonJSON.dumps(
            .object([
                ("version", .string("4")), ("status", .string(data.status.rawValue)),
                ("commonLabels", PythonJSON.labels(data.commonLabels)), ("truncatedAlerts", .int(data.truncatedAlerts)),
                ("alerts", .array(alertValues)),
            ]))
        groups[key, default: []].append(line)
    }
    var out = ""
    for (receiver, groupLabels) in keys.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
        out += "== receiver=\(receiver) groupLabels=\(groupLabels)\n"
        for (index, line) in groups[receiver + "\u{0}" + groupLabels]!.enumerated() { out += "  #\(index) \(line)\n" }
    }
    return out
}
