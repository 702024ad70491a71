import Testing
import VigilTemplate

/// The methods of Alertmanager's template data types, reached as fields as in Go templates.
@Suite struct AlertmanagerDataMethodsTests {
    static let data: TemplateValue = [
        "Status": "firing",
        "Alerts": [
            ["Status": "firing", "Labels": ["alertname": "GpuHot", "gpu": "1"]],
            ["Status": "resolved", "Labels": ["alertname": "GpuHot", "gpu": "2"]],
            ["Status": "firing", "Labels": ["alertname": "GpuHot", "gpu": "3"]],
        ],
        "GroupLabels": ["cluster": "c1", "alertname": "GpuHot"],
        "CommonLabels": ["alertname": "GpuHot", "Names": "a label named Names"],
    ]

    @Test(arguments: [
        ("{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }}", "2/1"),
        ("{{ range .Alerts.Firing }}{{ .Labels.gpu }} {{ end }}", "1 3 "),
        ("{{ .GroupLabels.SortedPairs.Values | join \" \" }}", "GpuHot c1"),
        ("{{ .GroupLabels.Names | join \",\" }}", "alertname,cluster"),
        ("{{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}", "alertname=GpuHot;cluster=c1;"),
        // A label of the same name as a method wins, as a map key does over nothing in Go.
        ("{{ .CommonLabels.Names }}", "a label named Names"),
    ])
    func methods(_ text: String, _ expected: String) throws {
        let template = try Template(name: "t", text: text, functions: .alertmanager)
        #expect(try template.execute(Self.data) == expected)
    }

    @Test func withoutAlertmanagersFunctionsTheyAreNotMethods() throws {
        let template = try Template(name: "t", text: "{{ .Alerts.Firing }}")
        #expect(throws: TemplateError.self) { try template.execute(Self.data) }
    }
}

extension AlertmanagerDataMethodsTests {
    /// `KV.Remove NAMES`: a method with an argument, as `__subject` uses it.
    @Test func removeTakesTheNamesToLeaveOut() throws {
        let text = "{{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join \" \" }}{{ end }}"
        let template = try Template(name: "t", text: text, functions: .alertmanager)
        let data: TemplateValue = [
            "GroupLabels": ["alertname": "GpuHot"],
            "CommonLabels": ["alertname": "GpuHot", "severity": "page", "team": "ml"],
        ]
        #expect(try template.execute(data) == "page ml")
        let wrong = try Template(name: "t", text: "{{ .CommonLabels.Missing .GroupLabels }}", functions: .alertmanager)
        #expect(throws: TemplateError.self) { try wrong.execute(data) }
    }
}
