public import VigilModel

/// Metrics produced inside this process — the server's built-in agent, the simulated demo cluster —
/// scraped without HTTP or text.
///
/// A source registered with ``ScrapeManager/register(_:job:labels:options:)`` is treated exactly as an
/// HTTP target after parsing: target labels, `honor_labels`, metric relabelling, limits, report series,
/// staleness and metadata all apply to the families it returns.
public protocol MetricsSource: Sendable {
    /// The current metric families. A thrown error marks the target down with the error as its
    /// `lastError`, as a failed HTTP scrape does.
    func collect() async throws -> [MetricFamily]
}
