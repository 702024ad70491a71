import VigilModel

/// One source of host metrics (node_exporter calls these collectors too).
///
/// A collector never throws: what it can't read becomes a ``CollectorIssue`` in the output and that
/// metric is skipped, so one bad file never costs the rest of the collection.
public protocol Collector: Sendable {
    /// The name used by `--collector.NAME` flags and the `collector` label of Vigil's own metrics.
    var name: String { get }
    func collect(into output: inout CollectorOutput)
}
