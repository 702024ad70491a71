import Foundation

/// One element of a `time_intervals` entry (Alertmanager's `timeinterval.TimeInterval`): an instant is
/// inside when every given field contains it (absent fields contain everything).
public struct TimeIntervalSpec: Sendable, Hashable {
    /// Minutes of the day, `[start, end)`.
    public var times: [ClosedRange<Int>]?
    /// 0 = Sunday ... 6 = Saturday, inclusive ranges.
    public var weekdays: [ClosedRange<Int>]?
    /// Days of the month; negative counts from the month's end (-1 = last day). Stored as (begin, end).
    public var daysOfMonth: [DayRange]?
    /// 1 ... 12, inclusive ranges.
    public var months: [ClosedRange<Int>]?
    public var years: [ClosedRange<Int>]?
    public var location: TimeZone

    public struct DayRange: Sendable, Hashable {
        public var begin: Int
        public var end: Int
        public init(begin: Int, end: Int) {
            self.begin = begin
            self.end = end
        }
    }

    public init(
        times: [ClosedRange<Int>]? = nil, weekdays: [ClosedRange<Int>]? = nil, daysOfMonth: [DayRange]? = nil,
        months: [ClosedRange<Int>]? = nil, years: [ClosedRange<Int>]? = nil,
        location: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.times = times
        self.weekdays = weekdays
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.years = years
        self.location = location
    }

    /// Whether `date` falls inside the interval (`ContainsTime`).
    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = location
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if let times, !times.contains(where: { minute >= $0.lowerBound && minute < $0.upperBound }) { return false }
        if let daysOfMonth {
            let daysInMonth = calendar.range(of: .day, in: .month, for: date)?.count ?? 31
            let day = parts.day ?? 1
            let inside = daysOfMonth.contains { range in
                var begin = range.begin < 0 ? daysInMonth + range.begin + 1 : range.begin
                var end = range.end < 0 ? daysInMonth + range.end + 1 : range.end
                if begin > daysInMonth { return false }
                begin = min(max(begin, -daysInMonth), daysInMonth)
                end = min(max(end, -daysInMonth), daysInMonth)
                return day >= begin && day <= end
            }
            if !inside { return false }
        }
        if let months, !months.contains(where: { $0.contains(parts.month ?? 1) }) { return false }
        if let weekdays, !weekdays.contains(where: { $0.contains((parts.weekday ?? 1) - 1) }) { return false }
        if let years, !years.contains(where: { $0.contains(parts.year ?? 1970) }) { return false }
        return true
    }
}

extension Array where Element == TimeIntervalSpec {
    /// Whether any interval of a named `time_intervals` entry contains `date`.
    public func contains(_ date: Date) -> Bool { contains { $0.contains(date) } }
}
