import Testing
import VigilConfig
import VigilModel

@Suite struct FileSDTests {
    @Test func parsesJSON() throws {
        let json = """
            [
              {"targets": ["gpu-node-1:9471", "gpu-node-2:9471"], "labels": {"rack": "a3", "env": "prod"}},
              {"targets": ["gpu-node-3:9471"], "comment": "keys Prometheus does not know are ignored in JSON"}
            ]
            """
        let groups = try FileSD.parse(Array(json.utf8), path: "/etc/vigil/targets/gpus.json")
        #expect(
            groups == [
                TargetGroup(
                    targets: ["gpu-node-1:9471", "gpu-node-2:9471"],
                    labels: ["rack": "a3", "env": "prod", "__meta_filepath": "/etc/vigil/targets/gpus.json"],
                    source: "/etc/vigil/targets/gpus.json:0"),
                TargetGroup(
                    targets: ["gpu-node-3:9471"], labels: ["__meta_filepath": "/etc/vigil/targets/gpus.json"],
                    source: "/etc/vigil/targets/gpus.json:1"),
            ])
    }

    @Test func parsesYAML() throws {
        let yaml = "- targets: ['a:1']\n  labels:\n    zone: z1\n- targets: []\n"
        let groups = try FileSD.parse(Array(yaml.utf8), path: "t.yaml")
        #expect(groups.count == 2)
        #expect(groups[0].labels == ["zone": "z1", "__meta_filepath": "t.yaml"])
        #expect(groups[1].targets.isEmpty && groups[1].source == "t.yaml:1")
    }

    @Test func emptyFileHasNoGroups() throws {
        #expect(try FileSD.parse([], path: "empty.yml").isEmpty)
        #expect(try FileSD.parse(Array("[]".utf8), path: "empty.json").isEmpty)
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var content: String
        var code: ConfigError.Code
        var keyPath: String
        var message: String
        var testDescription: String { name }
    }

    static let badFiles: [BadFile] = [
        BadFile(
            name: "JSON syntax", path: "t.json", content: "[{\"targets\": [\"a:1\"}]", code: .syntax, keyPath: "",
            message: ""),
        BadFile(
            name: "unknown extension", path: "t.txt", content: "[]", code: .invalidValue, keyPath: "",
            message: "must end in .json, .yml or .yaml"),
        BadFile(
            name: "unknown YAML key", path: "t.yml", content: "- targets: [a:1]\n  label: {a: b}\n", code: .unknownKey,
            keyPath: "[0].label", message: "did you mean \"labels\""),
        BadFile(
            name: "not a list", path: "t.json", content: "{\"targets\": [\"a:1\"]}", code: .invalidValue, keyPath: "",
            message: "expected a list"),
        BadFile(
            name: "targets not a list", path: "t.json", content: "[{\"targets\": \"a:1\"}]", code: .invalidValue,
            keyPath: "[0].targets", message: "expected a list, got \"a:1\""),
        BadFile(
            name: "null group", path: "t.yml", content: "- targets: [a:1]\n-\n", code: .invalidValue, keyPath: "[1]",
            message: "nil target group"),
        BadFile(
            name: "bad label name", path: "t.json", content: "[{\"targets\": [], \"labels\": {\"\": \"x\"}}]",
            code: .invalidValue, keyPath: "[0].labels.", message: "not a valid label name"),
        BadFile(
            name: "label value not a string", path: "t.yml", content: "- targets: []\n  labels: {a: [1]}\n",
            code: .invalidValue, keyPath: "[0].labels.a", message: "expected a string"),
    ]

    @Test(arguments: badFiles)
    func rejects(_ bad: BadFile) {
        do {
            let groups = try FileSD.parse(Array(bad.content.utf8), path: bad.path)
            Issue.record("parsed without error: \(groups)")
        } catch {
            #expect(error.code == bad.code)
            #expect(error.keyPath == bad.keyPath)
            #expect(error.file == bad.path)
            #expect(error.message.contains(bad.message), "message: \(error.message)")
        }
    }
}
