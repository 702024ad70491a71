import VigilModel

/// The time axis of a chart: ticks on whole seconds, minutes, hours or days (UTC), at a step chosen so that
/// about `targetTicks` fit, labelled `HH:MM`, `HH:MM:SS` or `Jan 2` (a day's first tick shows its date).
public struct TimeAxis: Sendable, Hashable {
    /// One labelled tick.
    public struct Tick: Sendable, Hashable {
        /// Milliseconds since the Unix epoch.
        public var timestamp: Int64
        public var label: String
    }

    public var ticks: [Tick]
    /// The distance between ticks in milliseconds.
    public var step: Int64

    static let second: Int64 = 1000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let day: Int64 = 24 * hour

    /// The steps the axis chooses from, smallest first.
    public static let steps: [Int64] = [
        second, 2 * second, 5 * second, 10 * second, 15 * second, 30 * second,
        minute, 2 * minute, 5 * minute, 10 * minute, 15 * minute, 30 * minute,
        hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour,
        day, 2 * day, 7 * day, 14 * day, 30 * day, 90 * day, 365 * day,
    ]

    /// Ticks for `start...end` (ms; `end > start`), at the smallest step that gives at most `targetTicks`.
    public init(start: Int64, end: Int64, targetTicks: Int = 6) {
        let span = max(end - start, 1)
        let target = Int64(max(targetTicks, 1))
        var chosen = Self.steps.last!
        for step in Self.steps where span / step <= target {
            chosen = step
            break
        }
        if span / chosen > target {
            // Beyond the table (decades): whole multiples of a year.
            chosen = (span / target / (365 * Self.day) + 1) * 365 * Self.day
        }
        var ticks: [Tick] = []
        var t = Self.ceilDiv(start, chosen) * chosen
        while t <= end && ticks.count <= target + 1 {
            ticks.append(Tick(timestamp: t, label: Self.label(t, step: chosen)))
            t += chosen
        }
        self.ticks = ticks
        self.step = chosen
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The label of a tick at `timestamp` on an axis with ticks every `step` ms.
    static func label(_ timestamp: Int64, step: Int64) -> String {
        let time = CivilTime(millisecondsSinceEpoch: timestamp)
        if step >= day || (time.secondOfDay == 0 && time.nanosecond == 0) {
            return months[Int(time.month - 1)] + " " + String(time.day)
        }
        var text = twoDigits(time.hour) + ":" + twoDigits(time.minute)
        if step < minute { text += ":" + twoDigits(time.second) }
        return text
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0" + String(value) : String(value) }

    private static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a > 0) ? q + 1 : q
    }
}
