import Foundation
import Logging
import VigilCollectors
import VigilModel

/// A fake host under Tests/VigilCollectorsTests/Fixtures/NAME (proc/, sys/, etc/, run/udev/data).
struct FixtureHost {
    let root: String

    init(_ name: String) {
        root =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    var paths: HostPaths { .underRoot(root) }

    /// Runs one collector against the fixture.
    func run(_ collector: some Collector) -> CollectorOutput {
        var output = CollectorOutput(paths: paths)
        collector.collect(into: &output)
        return output
    }
}

extension MetricSet {
    /// The value of the one sample of `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples(name, labels).first?.value
    }

    func samples(_ name: String, _ labels: [String: String] = [:]) -> [MetricSample] {
        families.first { $0.name == name }?.samples.filter { sample in
            labels.allSatisfy { sample.labels[$0.key] == $0.value }
        } ?? []
    }

    func family(_ name: String) -> MetricFamily? { families.first { $0.name == name } }
}
