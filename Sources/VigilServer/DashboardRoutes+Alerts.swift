import Foundation
import Hummingbird
import NIOCore
import VigilAlerting
import VigilModel
import VigilRules
import VigilUI

extension DashboardRoutes {
    /// Adds the alerts page's form actions, which work without script: `POST /ui/alerts/silences` creates a
    /// silence and `POST /ui/alerts/silences/{id}/expire` expires one, both through ``AlertmanagerAPI``'s own
    /// code (as `POST /api/v2/silences` and `DELETE /api/v2/silence/{id}` do), then redirect (303) to the page.
    /// `GET /ui/alerts/silences` redirects to the page; `GET /ui/alerts` itself is registered by ``register(on:)``.
    func registerAlertsActions<Context: RequestContext>(on router: Router<Context>) {
        let dashboard = self
        router.post("/ui/alerts/silences") { request, _ in await dashboard.createSilenceResponse(request) }
        // Reloading the page a failed form POST answered with lands here: back to the page.
        router.get("/ui/alerts/silences") { _, _ in Self.redirect(AlertsPage.path) }
        router.post("/ui/alerts/silences/{id}/expire") { request, context in
            await dashboard.expireSilenceResponse(id: context.parameters.get("id") ?? "")
        }
    }

    /// A matcher list that does not parse: the message and the byte offset of the matcher at fault.
    struct MatcherListError: Error, Hashable {
        var message: String
        var position: Int
    }

    /// Parses a matcher list as ``AlertMatchers/parseList(_:)`` does (same splitting at commas outside quotes,
    /// same matcher syntax) and, when one does not parse, says where it starts (a UTF-8 byte offset in `text`).
    /// An empty list is an error too: a silence needs a matcher.
    static func parseMatcherList(_ text: String, requireOne: Bool = true) -> Result<[LabelMatcher], MatcherListError> {
        var body = Substring(text)
        var offset = 0
        if body.hasPrefix("{") {
            body = body.dropFirst()
            offset = 1
        }
        if body.hasSuffix("}") { body = body.dropLast() }
        var tokens: [(text: String, start: Int)] = []
        var token = ""
        var tokenStart = offset
        var position = offset
        var insideQuotes = false
        var escaped = false
        for character in body {
            defer { position += character.utf8.count }
            switch character {
            case "," where !insideQuotes:
                tokens.append((token, tokenStart))
                token = ""
                tokenStart = position + 1
                continue
            case "\"":
                if !escaped { insideQuotes.toggle() } else { escaped = false }
            case "\\":
                escaped.toggle()
            default:
                escaped = false
            }
            token.append(character)
        }
        if !token.allSatisfy(\.isWhitespace) { tokens.append((token, tokenStart)) }
        var matchers: [LabelMatcher] = []
        for (token, start) in tokens {
            let leading = token.prefix { $0 == " " || $0 == "\t" || $0 == "\n" }.utf8.count
            do {
                matchers.append(try AlertMatchers.parse(token))
            } catch {
                return .failure(MatcherListError(message: error.message, position: start + leading))
            }
        }
        if requireOne && matchers.isEmpty {
            return .failure(
                MatcherListError(
                    message: "at least one matcher is required, e.g. alertname=\"GPULost\"", position: 0))
        }
        return .success(matchers)
    }

    /// Milliseconds since the epoch.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// Gathers the page's values: the rule manager's pending and firing alerts and, from the Alertmanager,
    /// which are silenced or inhibited (and by what), the inhibited alerts it holds, and the silences.
    func alertsPage(
        filter: AlertsPage.Filter, form: AlertsPage.SilenceForm = AlertsPage.SilenceForm(), created: String? = nil,
        expired: String? = nil, refreshSeconds: Int?, notes: [String] = []
    ) async -> AlertsPage {
        let time = api.now()
        var items: [AlertsPage.Item] = []
        for group in await api.ruleGroups() {
            for rule in group.rules {
                for alert in rule.alerts {
                    let state: AlertsPage.State
                    switch alert.state {
                    case .firing: state = .firing
                    case .pending: state = .pending
                    case .inactive: continue
                    }
                    items.append(
                        AlertsPage.Item(
                            state: state, labels: alert.labels, annotations: alert.annotations,
                            activeAt: alert.activeAt, value: alert.value))
                }
            }
        }
        var silences: [AlertsPage.SilenceRow]?
        var inhibited: [AlertsPage.InhibitedAlert] = []
        if let dispatcher = alertmanager?.dispatcher {
            let now = await dispatcher.now()
            let held = await dispatcher.allAlerts.filter { !$0.isResolved(at: now) }
            var byFingerprint: [String: Labels] = [:]
            for alert in held { byFingerprint[alert.fingerprint.fingerprintString] = alert.labels }
            func sources(_ fingerprints: [String]) -> [AlertsPage.Source] {
                fingerprints.map { AlertsPage.Source(fingerprint: $0, labels: byFingerprint[$0]) }
            }
            for index in items.indices {
                let probe = VigilAlerting.Alert(
                    labels: items[index].labels, startsAt: now, endsAt: now.addingTimeInterval(60), updatedAt: now)
                let marks = await dispatcher.marks(for: probe)
                items[index].silencedBy = marks.silencedBy
                items[index].inhibitedBy = sources(marks.inhibitedBy)
            }
            for alert in held {
                let marks = await dispatcher.marks(for: alert)
                guard !marks.inhibitedBy.isEmpty else { continue }
                inhibited.append(
                    AlertsPage.InhibitedAlert(
                        labels: alert.labels, annotations: alert.annotations,
                        startsAt: Self.milliseconds(alert.startsAt), inhibitedBy: sources(marks.inhibitedBy)))
            }
            silences = await dispatcher.silences.query(now: now).map { silence in
                let state: AlertsPage.SilenceState =
                    switch silence.state(at: now) {
                    case .active: .active
                    case .pending: .pending
                    case .expired: .expired
                    }
                return AlertsPage.SilenceRow(
                    id: silence.id, state: state, matchers: silence.matchers.map { AlertMatchers.format($0) },
                    startsAt: Self.milliseconds(silence.startsAt), endsAt: Self.milliseconds(silence.endsAt),
                    createdBy: silence.createdBy, comment: silence.comment)
            }
        }
        return AlertsPage(
            alerts: items, filter: filter, silences: silences, inhibited: inhibited, form: form,
            createdSilenceID: created, expiredSilenceID: expired, generatedAt: time,
            refreshSeconds: refreshSeconds ?? defaultRefreshSeconds, notes: notes)
    }

    /// `GET /ui/alerts` with `state`, `severity`, `filter`, `silence` (the form's matchers), `created`,
    /// `expired` and `refresh`.
    func alertsResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        // Go's form decoding (`+` is a space), as the filter form's GET sends it.
        let query = FormValues(query: request.uri.query, body: nil)
        func parameter(_ name: String) -> String? { query.all(name).first }
        var filter = AlertsPage.Filter(
            severity: parameter("severity").flatMap { $0.isEmpty ? nil : $0 }, text: parameter("filter") ?? "")
        if let state = parameter("state"), !state.isEmpty {
            guard let value = AlertsPage.State(rawValue: state) else {
                return Self.html(
                    .badRequest,
                    HTMLPage.errorPage(
                        title: "Unknown alert state",
                        message: "state=\"\(state)\" is not an alert state: give firing or pending (or leave it out).",
                        links: [
                            (AlertsPage.path + "?state=firing", "Firing alerts"),
                            (AlertsPage.path + "?state=pending", "Pending alerts"), (AlertsPage.path, "All alerts"),
                        ]))
            }
            filter.state = value
        }
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                parameter("refresh"), back: (AlertsPage.path, "Alerts, refreshed every \(defaultRefreshSeconds) s"))
        } catch {
            return error.response
        }
        var notes: [String] = []
        var status = HTTPResponse.Status.ok
        switch Self.parseMatcherList(filter.text, requireOne: false) {
        case .success(let matchers): filter.matchers = matchers
        case .failure(let error):
            notes.append(
                "The label filter does not parse at position \(error.position): \(error.message). "
                    + "Write matchers as {alertname=\"GPULost\", Hostname=~\"node-0[12]\"}; no filter is applied.")
            status = .badRequest
        }
        var form = AlertsPage.SilenceForm()
        if let matchers = parameter("silence") { form.matchers = matchers }
        let page = await alertsPage(
            filter: filter, form: form, created: parameter("created").flatMap { $0.isEmpty ? nil : $0 },
            expired: parameter("expired").flatMap { $0.isEmpty ? nil : $0 }, refreshSeconds: refresh, notes: notes)
        return Self.timed(Self.html(status, page.render()), since: started)
    }

    /// `POST /ui/alerts/silences` (a form): creates the silence through ``AlertmanagerAPI/postSilences(_:)`` and
    /// redirects to `/ui/alerts?created=<id>`; bad input shows the form again (400) with its values and the error.
    func createSilenceResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        guard let alertmanager else { return Self.noAlertmanager() }
        let bytes: [UInt8]
        do {
            bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            return Self.html(
                .contentTooLarge,
                HTMLPage.errorPage(
                    title: "Silence too large", message: "The silence form's data is larger than 1 MiB.",
                    links: [(AlertsPage.path, "Alerts")]))
        }
        let values = FormValues(query: nil, body: bytes)
        var form = AlertsPage.SilenceForm(
            matchers: values["matchers"], duration: values["duration"], startsAt: values["startsAt"],
            createdBy: values["createdBy"], comment: values["comment"])
        func again(_ error: AlertsPage.FormError) async -> Response {
            form.error = error
            // No refresh: it would fetch this POST URL with GET.
            let page = await alertsPage(filter: AlertsPage.Filter(), form: form, refreshSeconds: 0)
            return Self.timed(Self.html(.badRequest, page.render()), since: started)
        }
        let matchers: [LabelMatcher]
        switch Self.parseMatcherList(form.matchers) {
        case .success(let parsed): matchers = parsed
        case .failure(let error):
            return await again(
                AlertsPage.FormError(
                    field: "matchers", message: "\(error.message) (at position \(error.position))",
                    position: error.position))
        }
        let durationText = form.duration.trimmingCharacters(in: .whitespaces)
        guard let milliseconds = PrometheusDuration.milliseconds(durationText), milliseconds > 0 else {
            return await again(
                AlertsPage.FormError(
                    field: "duration",
                    message:
                        "\"\(form.duration)\" is not a duration: give a positive Prometheus duration such as 30m, 2h or 1d12h"
                ))
        }
        var startsAt = Self.milliseconds(await alertmanager.dispatcher.now())
        let startText = form.startsAt.trimmingCharacters(in: .whitespaces)
        if !startText.isEmpty && startText != "now" {
            guard let parsed = RFC3339.milliseconds(startText) else {
                return await again(
                    AlertsPage.FormError(
                        field: "startsAt",
                        message:
                            "\"\(form.startsAt)\" is not an RFC 3339 time such as 2024-05-01T12:00:00Z (leave it empty to start now)"
                    ))
            }
            startsAt = parsed
        }
        guard !form.createdBy.trimmingCharacters(in: .whitespaces).isEmpty else {
            return await again(
                AlertsPage.FormError(field: "createdBy", message: "say who creates the silence (a name or an e-mail)"))
        }
        let body: [String: Any] = [
            "matchers": matchers.map { matcher in
                [
                    "name": matcher.name, "value": matcher.value,
                    "isRegex": matcher.kind == .regexMatch || matcher.kind == .regexNoMatch,
                    "isEqual": matcher.kind == .equal || matcher.kind == .regexMatch,
                ] as [String: Any]
            },
            "startsAt": CivilTime(millisecondsSinceEpoch: startsAt).rfc3339,
            "endsAt": CivilTime(millisecondsSinceEpoch: startsAt + milliseconds).rfc3339,
            "createdBy": form.createdBy, "comment": form.comment,
        ]
        let json = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        let answer = await alertmanager.postSilences(json)
        let decoded = try? JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])
        guard answer.status == 200, let id = (decoded as? [String: Any])?["silenceID"] as? String else {
            let message =
                decoded as? String ?? (decoded as? [String: Any])?["message"] as? String ?? "HTTP \(answer.status)"
            let field =
                message.contains("matcher") ? "matchers" : message.contains("end time") ? "duration" : ""
            return await again(AlertsPage.FormError(field: field, message: message))
        }
        return Self.redirect(AlertsPage.path + "?created=" + HTMLPage.percentEncoded(id))
    }

    /// `POST /ui/alerts/silences/{id}/expire`: expires through ``AlertmanagerAPI/deleteSilence(id:)`` and
    /// redirects to `/ui/alerts?expired=<id>`.
    func expireSilenceResponse(id: String) async -> Response {
        guard let alertmanager else { return Self.noAlertmanager() }
        let answer = await alertmanager.deleteSilence(id: id)
        switch answer.status {
        case 200:
            return Self.redirect(AlertsPage.path + "?expired=" + HTMLPage.percentEncoded(id))
        case 404:
            return Self.html(
                .notFound,
                HTMLPage.errorPage(
                    title: "No such silence",
                    message: "There is no silence with id \"\(id)\"; it may have been removed after its retention.",
                    links: [(AlertsPage.path, "Alerts and silences")]))
        default:
            let message =
                (try? JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])) as? String
                ?? "HTTP \(answer.status)"
            return Self.html(
                .badRequest,
                HTMLPage.errorPage(
                    title: "Silence not expired", message: "The silence \(id) cannot be expired: \(message).",
                    links: [(AlertsPage.path, "Alerts and silences")]))
        }
    }

    static func noAlertmanager() -> Response {
        html(
            .notFound,
            HTMLPage.errorPage(
                title: "No Alertmanager",
                message:
                    "This server has no Alertmanager configured, so silences cannot be created or expired here. "
                    + "The firing and pending alerts are still on the alerts page.",
                links: [(AlertsPage.path, "Alerts")]))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
