import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One alert as `vigil alerts` shows it: the rule side (`/api/v1/alerts`: state, since when, value)
/// joined with the notifier side (`/api/v2/alerts`: silenced or inhibited, and by what).
public struct AlertOverview: Sendable, Hashable {
    /// `firing` or `pending` (rule side); `received` for an alert only the notifier knows (posted by
    /// another Prometheus).
    public var state: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// RFC 3339, as the server wrote it.
    public var activeAt: String
    public var value: String
    /// Silence ids that mute it.
    public var silencedBy: [String]
    /// Fingerprints of the alerts that inhibit it.
    public var inhibitedBy: [String]

    public var name: String { labels["alertname"] ?? "" }
    public var severity: String { labels["severity"] ?? "" }
    /// The recommended action: the `runbook` annotation, else `runbook_url`.
    public var runbook: String { annotations["runbook"] ?? annotations["runbook_url"] ?? "" }
    public var isSuppressed: Bool { !silencedBy.isEmpty || !inhibitedBy.isEmpty }
}

/// Reads the alerts of a Vigil server (or a Prometheus plus an Alertmanager on the same URL).
public struct AlertsClient: Sendable {
    public var serverURL: String
    public var httpClient: HTTPClient

    public init(serverURL: String, httpClient: HTTPClient = .shared) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.httpClient = httpClient
    }

    /// Every alert the rules hold (pending and firing), each with its notifier status; then alerts the
    /// notifier received from elsewhere. A server without the notifier API (a plain Prometheus) shows
    /// the rule side only.
    public func alerts() async throws(APIError) -> [AlertOverview] {
        let ruleSide = try await Self.ruleAlerts(get("/api/v1/alerts"))
        let notifierSide = (try? await get("/api/v2/alerts")).flatMap(Self.notifierAlerts) ?? []
        return Self.join(ruleSide: ruleSide, notifierSide: notifierSide)
    }

    /// Each rule-side alert with the status of its notifier-side copy, then the notifier's own.
    static func join(ruleSide: [AlertOverview], notifierSide: [AlertOverview]) -> [AlertOverview] {
        var remaining = notifierSide
        var overview: [AlertOverview] = []
        for var alert in ruleSide {
            // The notifier's copy carries the external labels too: match on the rule's labels.
            if let index = remaining.firstIndex(where: { candidate in
                alert.labels.allSatisfy { candidate.labels[$0.key] == $0.value }
            }) {
                alert.silencedBy = remaining[index].silencedBy
                alert.inhibitedBy = remaining[index].inhibitedBy
                remaining.remove(at: index)
            }
            overview.append(alert)
        }
        overview.append(contentsOf: remaining)
        return overview
    }

    private func get(_ path: String) async throws(APIError) -> [UInt8] {
        var request = HTTPClientRequest(url: serverURL + path)
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            let body = Array(try await response.body.collect(upTo: 1 << 28).readableBytesView)
            guard response.status.code == 200 else {
                throw APIError(.unavailable, "\(serverURL)\(path) answered \(response.status.code)")
            }
            return body
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.unavailable, "cannot read \(serverURL)\(path): \(error)")
        }
    }

    /// `{"status":"success","data":{"alerts":[{labels, annotations, state, activeAt, value}]}}`.
    static func ruleAlerts(_ body: [UInt8]) throws(APIError) -> [AlertOverview] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let data = object["data"] as? [String: Any], let alerts = data["alerts"] as? [[String: Any]]
        else { throw APIError(.internal, "the server's /api/v1/alerts answer is not Prometheus's shape") }
        return alerts.map { alert in
            AlertOverview(
                state: alert["state"] as? String ?? "", labels: alert["labels"] as? [String: String] ?? [:],
                annotations: alert["annotations"] as? [String: String] ?? [:],
                activeAt: alert["activeAt"] as? String ?? "", value: alert["value"] as? String ?? "", silencedBy: [],
                inhibitedBy: [])
        }
    }

    /// Alertmanager's gettable alerts: `[{labels, annotations, startsAt, status: {state, silencedBy, inhibitedBy}}]`.
    static func notifierAlerts(_ body: [UInt8]) -> [AlertOverview]? {
        guard let alerts = try? JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] else { return nil }
        return alerts.map { alert in
            let status = alert["status"] as? [String: Any] ?? [:]
            return AlertOverview(
                state: "received", labels: alert["labels"] as? [String: String] ?? [:],
                annotations: alert["annotations"] as? [String: String] ?? [:],
                activeAt: alert["startsAt"] as? String ?? "", value: "",
                silencedBy: status["silencedBy"] as? [String] ?? [],
                inhibitedBy: status["inhibitedBy"] as? [String] ?? [])
        }
    }

    /// Labels the table leaves out: shown in their own columns, or describing rather than identifying
    /// the alert (dcgm-exporter's UUID, bus id, model, driver); `--json` has them all.
    static let descriptiveLabels: Set<String> = [
        "alertname", "severity", "UUID", "pci_bus_id", "modelName", "device", "DCGM_FI_DRIVER_VERSION", "Hostname",
    ]

    /// `7.9e+01` as `79`, `6.666666666666666e-01` as `0.6667`: four significant digits are enough to read.
    static func shortValue(_ value: String) -> String {
        guard let number = Double(value) else { return value.isEmpty ? "-" : value }
        return String(format: "%.4g", number)
    }

    /// A table, firing alerts first: state, severity, alert, since, value, the identifying labels and
    /// whether it is muted; under each alert its summary and runbook, indented.
    public static func table(_ alerts: [AlertOverview]) -> String {
        if alerts.isEmpty { return "no alerts\n" }
        let rank = ["firing": 0, "pending": 1]
        let alerts = alerts.enumerated().sorted { a, b in
            (rank[a.element.state] ?? 2, a.offset) < (rank[b.element.state] ?? 2, b.offset)
        }.map(\.element)
        var rows = [["STATE", "SEVERITY", "ALERT", "SINCE", "VALUE", "LABELS", "NOTIFY"]]
        var details: [[String]] = [[]]
        for alert in alerts {
            let labels = alert.labels.filter { !Self.descriptiveLabels.contains($0.key) }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            var notify = "notified"
            if !alert.silencedBy.isEmpty { notify = "silenced by " + alert.silencedBy.joined(separator: ",") }
            if !alert.inhibitedBy.isEmpty {
                notify = (alert.silencedBy.isEmpty ? "" : notify + "; ") + "inhibited"
            }
            if alert.state == "pending" { notify = "-" }
            rows.append([
                alert.state, alert.severity.isEmpty ? "-" : alert.severity, alert.name, alert.activeAt,
                Self.shortValue(alert.value), labels, notify,
            ])
            var lines: [String] = []
            if let summary = alert.annotations["summary"] { lines.append("summary: " + summary) }
            if !alert.runbook.isEmpty { lines.append("runbook: " + alert.runbook) }
            details.append(lines)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for (row, lines) in zip(rows, details) {
            text +=
                row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ") + "\n"
            for line in lines { text += "    " + line + "\n" }
        }
        return text
    }
}
