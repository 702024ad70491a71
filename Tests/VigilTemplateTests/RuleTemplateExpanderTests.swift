import Foundation
import Testing
import VigilModel
import VigilTemplate
import Yams

/// Prometheus's rule templates: `$labels`, `$value`, `$externalLabels`, `$externalURL`, `query`, the
/// `<error expanding template: ...>` text, and every template of the shared rule files parsing.
struct RuleTemplateExpanderTests {
    static let expander = RuleTemplateExpander(
        externalLabels: ["cluster": "dgx-a"], externalURL: "https://vigil.example.com/prom",
        query: { query, time in
            if query == "fail" { throw TemplateError("query failed") }
            return [TemplateSample(labels: ["__name__": "up", "instance": "n\(time)"], value: 1)]
        })

    @Test(arguments: [
        ("{{ $labels.instance }} GPU {{ $labels.gpu }} at {{ $value | humanize }}", "n1 GPU 0 at 1.235M"),
        ("{{ .Labels.instance }} {{ .Value }}", "n1 1.234567e+06"),
        (
            "{{ $labels.missing }}|{{ $externalLabels.cluster }}|{{ $externalURL }}",
            "|dgx-a|https://vigil.example.com/prom"
        ),
        ("{{ with query \"up\" }}{{ . | first | label \"instance\" }}{{ end }}", "n42"),
        ("{{ pathPrefix }} {{ externalURL }}", "/prom https://vigil.example.com/prom"),
        ("no actions", "no actions"),
        ("{{ if gt $value 1000.0 }}big{{ end }}", "big"),
    ])
    func expands(_ text: String, _ expected: String) throws {
        let labels: Labels = ["instance": "n1", "gpu": "0", "__name__": "DCGM_FI_DEV_GPU_TEMP"]
        #expect(try Self.expander.expand(name: "a", text: text, labels: labels, value: 1_234_567, at: 42) == expected)
    }

    /// The expansions promtool 2.42 produced for ../shared/conformance/promtool/gpu-example.
    @Test func matchesPromtoolOnTheGPUExample() throws {
        let labels: Labels = ["instance": "n1", "gpu": "0", "severity": "warning", "team": "gpu"]
        let summary = "GPU {{ $labels.gpu }} on {{ $labels.instance }} is {{ $value }}C"
        let human =
            "{{ $value | humanize }} / {{ 3600 | humanizeDuration }} / {{ 0.1234 | humanizePercentage }} / {{ 1073741824 | humanize1024 }}B"
        #expect(
            try Self.expander.expand(name: "s", text: summary, labels: labels, value: 90, at: 0) == "GPU 0 on n1 is 90C"
        )
        #expect(
            try Self.expander.expand(name: "h", text: human, labels: labels, value: 90, at: 0)
                == "90 / 1h 0m 0s / 12.34% / 1GiB")
        let xid = "XID {{ $value }} on {{ $labels.instance }}/{{ $labels.gpu }}"
        #expect(
            try Self.expander.expand(name: "x", text: xid, labels: ["instance": "n1", "gpu": "1"], value: 79, at: 0)
                == "XID 79 on n1/1")
    }

    @Test func alertsGetPrometheusErrorText() {
        let failed = Self.expander.expandForAlert(
            name: "__alert_GpuHot", text: "{{ query \"fail\" }}", labels: [:], value: 1, at: 0)
        #expect(
            failed
                == "<error expanding template: error executing template __alert_GpuHot: template: __alert_GpuHot:1:115: executing \"__alert_GpuHot\" at <query \"fail\">: error calling query: query failed>"
        )
        let unparsable = Self.expander.expandForAlert(
            name: "__alert_X", text: "{{ nope }}", labels: [:], value: 1, at: 0)
        #expect(
            unparsable
                == "<error expanding template: error parsing template __alert_X: template: __alert_X:1:115: function \"nope\" not defined>"
        )
    }

    @Test func validatesWithoutExecuting() throws {
        try RuleTemplateExpander.validate(
            name: "ok", text: "{{ $labels.x }} {{ query \"up\" | first | value | humanize }}")
        #expect(throws: TemplateError.self) { try RuleTemplateExpander.validate(name: "bad", text: "{{ $labels.x ") }
        #expect(throws: TemplateError.self) { try RuleTemplateExpander.validate(name: "bad", text: "{{ $undefined }}") }
    }

    // MARK: Shared rule files

    static let sharedDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared").standardizedFileURL

    static var ruleFiles: [URL] {
        let manager = FileManager.default
        var files: [URL] = []
        for directory in ["conformance/promtool/gpu-example", "fixtures/alert-rules"] {
            let root = sharedDirectory.appendingPathComponent(directory)
            guard let enumerator = manager.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in enumerator
            where url.pathExtension == "yml" && !url.lastPathComponent.hasSuffix("_test.yml") {
                files.append(url)
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sharedDirectory.path), "../shared is absent"))
    func everySharedRuleTemplateParses() throws {
        let files = Self.ruleFiles
        #expect(!files.isEmpty, "no rule files under \(Self.sharedDirectory.path)")
        var checked = 0
        for file in files {
            let yaml = try String(contentsOf: file, encoding: .utf8)
            let document = try Yams.load(yaml: yaml) as? [String: Any]
            let groups = document?["groups"] as? [[String: Any]] ?? []
            for group in groups {
                for rule in group["rules"] as? [[String: Any]] ?? [] {
                    let name = (rule["alert"] ?? rule["record"]) as? String ?? "?"
                    for key in ["labels", "annotations"] {
                        for (field, value) in rule[key] as? [String: Any] ?? [:] {
                            let text = "\(value)"
                            do {
                                try RuleTemplateExpander.validate(name: "__alert_\(name)", text: text)
                                // And it executes on empty labels without crashing.
                                _ = Self.expander.expandForAlert(
                                    name: "__alert_\(name)", text: text, labels: [:], value: 0, at: 0)
                            } catch {
                                Issue.record("\(file.lastPathComponent) \(name) \(key).\(field): \(error)")
                            }
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    /// Not a timed assertion: prints what one expansion of a typical annotation costs.
    @Test func typicalAnnotationCost() throws {
        let text = "{{ $labels.instance }} GPU {{ $labels.gpu }} at {{ $value | humanize }}"
        let labels: Labels = ["__name__": "DCGM_FI_DEV_GPU_TEMP", "instance": "node1:9400", "gpu": "3", "job": "dcgm"]
        let iterations = 20_000
        let clock = ContinuousClock()
        var last = ""
        let elapsed = try clock.measure {
            for index in 0..<iterations {
                last = try Self.expander.expand(name: "a", text: text, labels: labels, value: Double(index), at: 0)
            }
        }
        #expect(last == "node1:9400 GPU 3 at 20k")
        let nanoseconds = Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9
        print("VigilTemplate: \(Int(nanoseconds / Double(iterations))) ns per expansion")
    }
}
