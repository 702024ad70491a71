import Hummingbird
import VigilModel
import VigilUI

extension DashboardRoutes {
    /// The longest range a page draws: 32 days, as far back as a default retention goes and then some.
    static let maxRange: Int64 = 32 * 86_400_000

    /// The most points per series a chart asks for; a step that would give more is refused (Prometheus's
    /// range queries stop at 11,000 points).
    static let maxPoints: Int64 = 11_000

    /// The time range in `request`'s URL (see ``TimeRange``): `range` (a Prometheus duration, default 1h)
    /// ending at `end` (unix seconds or RFC 3339, default now), or `start` and `end`; `step` a duration or
    /// seconds, default from the range. The error names the parameter and what to give instead.
    func timeRange(_ request: Request) throws(APIError) -> TimeRange {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? {
            guard let text = parameters[Substring(name)], !text.isEmpty else { return nil }
            return String(text)
        }
        return try Self.timeRange(
            start: value("start"), end: value("end"), range: value("range"), step: value("step"), now: api.now())
    }

    /// ``timeRange(_:)`` on the parameters' texts (nil: absent).
    public static func timeRange(start: String?, end: String?, range: String?, step: String?, now: Int64)
        throws(APIError) -> TimeRange
    {
        func time(_ name: String, _ text: String) throws(APIError) -> Int64 {
            do {
                return try APIParameters.parseTime(text)
            } catch {
                throw .invalidParameter(
                    name, "\(error.message); give unix seconds (1700000000) or RFC 3339 (2026-11-30T01:00:00Z)")
            }
        }
        func duration(_ name: String, _ text: String) throws(APIError) -> Int64 {
            if let milliseconds = PrometheusDuration.milliseconds(text), milliseconds > 0 { return milliseconds }
            if let seconds = Double(text), seconds.isFinite, seconds >= 0.001, seconds < 1e12 {
                return Int64((seconds * 1000).rounded())
            }
            throw .invalidParameter(name, "\(name) \"\(text)\" is not a positive duration: give e.g. 15s, 5m, 6h or 7d")
        }

        var result: TimeRange
        switch (start, end, range) {
        case (let start?, let end?, nil):
            let from = try time("start", start)
            let to = try time("end", end)
            guard to > from else {
                throw .invalidParameter("end", "end (\(end)) must be after start (\(start))")
            }
            result = TimeRange(start: from, end: to, step: 0, spec: .absolute)
        case (_?, _, _?):
            throw .invalidParameter("start", "give either start and end, or range (with an optional end), not both")
        case (_?, nil, nil):
            throw .invalidParameter("end", "start needs an end too (or use range, e.g. range=1h)")
        case (nil, let end, let range):
            let length =
                try range.map { text throws(APIError) in try duration("range", text) } ?? TimeRange.defaultDuration
            if let end {
                let to = try time("end", end)
                result = TimeRange(
                    start: to - length, end: to, step: 0, spec: .durationBefore(milliseconds: length, end: to))
            } else {
                result = TimeRange(start: now - length, end: now, step: 0, spec: .lastDuration(milliseconds: length))
            }
        }
        guard result.duration <= maxRange else {
            throw .invalidParameter(
                range == nil ? "start" : "range",
                "the range is \(PrometheusDuration.format(milliseconds: result.duration)), longer than the 32d a page draws"
            )
        }
        if let step {
            result.step = try duration("step", step)
            result.stepGiven = true
            guard result.duration / result.step <= maxPoints else {
                throw .invalidParameter(
                    "step",
                    "step \(step) gives more than \(maxPoints) points over \(PrometheusDuration.format(milliseconds: result.duration)); "
                        + "use at least \(PrometheusDuration.format(milliseconds: (result.duration + maxPoints - 1) / maxPoints))"
                )
            }
        } else {
            result.step = TimeRange.defaultStep(for: result.duration)
        }
        return result
    }

    /// The 400 page for a bad time range: the message and a link to the page's default range.
    static func timeRangeErrorPage(_ error: APIError, path: String, keeping: [(name: String, value: String)] = [])
        -> Response
    {
        html(
            .badRequest,
            HTMLPage.errorPage(
                title: "Bad time range", message: error.message,
                links: [(TimeRange.link(path, keeping), "The last hour")]))
    }
}
