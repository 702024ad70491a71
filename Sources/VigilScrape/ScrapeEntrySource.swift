import VigilExposition
import VigilModel

/// What a scrape's append path reads: the entries of one exposition, in order, whether they come from
/// parsing a body or from an in-process source's families.
protocol ScrapeEntrySource {
    mutating func nextEntry() throws(ScrapeError) -> ExpositionEntry?
}

/// A body being parsed; the loop keeps one parser per target (it keeps its interned names).
extension ExpositionParser: ScrapeEntrySource {
    mutating func nextEntry() throws(ScrapeError) -> ExpositionEntry? {
        do {
            return try next()
        } catch {
            throw ScrapeError(
                .parse, "invalid exposition (\(format.name)) at \(error.line):\(error.column): \(error.message)")
        }
    }
}

extension ExpositionFormat {
    var name: String {
        switch self {
        case .text: "text 0.0.4"
        case .openMetrics: "OpenMetrics 1.0"
        }
    }
}

/// The families an in-process ``MetricsSource`` returned, as the entries a parser would have yielded.
struct CollectedFamilies: ScrapeEntrySource {
    private let families: [MetricFamily]
    private var family = 0
    /// 0: TYPE, 1: HELP, 2: UNIT, then 3 + the index of the next sample.
    private var step = 0

    init(_ families: [MetricFamily]) { self.families = families }

    mutating func nextEntry() throws(ScrapeError) -> ExpositionEntry? {
        while family < families.count {
            let current = families[family]
            let position = step
            step += 1
            switch position {
            case 0: return .type(family: current.name, current.type)
            case 1: if !current.help.isEmpty { return .help(family: current.name, text: current.help) }
            case 2: if !current.unit.isEmpty { return .unit(family: current.name, unit: current.unit) }
            default:
                let index = position - 3
                if index < current.samples.count { return .sample(current.samples[index]) }
                family += 1
                step = 0
            }
        }
        return nil
    }
}
