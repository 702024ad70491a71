import VigilModel
import Yams

/// Prometheus's file-based service discovery format: a list of target groups in a `.json`, `.yml`
/// or `.yaml` file.
///
/// ```json
/// [{"targets": ["gpu-node-1:9471", "gpu-node-2:9471"], "labels": {"rack": "a3"}}]
/// ```
///
/// Watching and re-reading the files is the scrape manager's job; this only parses one file.
public enum FileSD {
    /// The label Prometheus adds to every target of a file, holding the file's path.
    public static let filepathLabel = "__meta_filepath"

    /// Parses one file's content. Each group gets the source `"<path>:<index>"` and the label
    /// `__meta_filepath`. YAML files are strict about keys, as in Prometheus; JSON files ignore keys
    /// they do not know, as Prometheus's JSON decoder does. Errors name the file and the entry
    /// (`[2].labels`).
    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigError) -> [TargetGroup] {
        let strict: Bool
        let lowered = path.lowercased()
        if lowered.hasSuffix(".json") {
            strict = false
        } else if lowered.hasSuffix(".yml") || lowered.hasSuffix(".yaml") {
            strict = true
        } else {
            throw ConfigError(
                .invalidValue, keyPath: "", "file_sd files must end in .json, .yml or .yaml", file: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(.syntax, keyPath: "", "the file is not UTF-8 text", file: path)
        }
        let root: Node?
        do {
            // JSON is YAML's flow style; one parser gives positions for both.
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(yamlError: error, file: path)
        } catch {
            throw ConfigError(.syntax, keyPath: "", "\(error)", file: path)
        }
        guard let root else { return [] }
        let cursor = YAMLCursor(node: root, path: "", file: path)
        var groups: [TargetGroup] = []
        for (index, element) in try cursor.sequence().enumerated() {
            if element.isNull { throw element.error(.invalidValue, "nil target group item found") }
            let map: YAMLMapping
            if strict {
                map = try element.mapping(known: ["targets", "labels"])
            } else {
                guard case .mapping = element.node else { throw element.mismatch("a target group") }
                let all = try element.freeMapping()
                map = YAMLMapping(
                    cursor: element,
                    values: Dictionary(all.filter { ["targets", "labels"].contains($0.key) }) { first, _ in first })
            }
            var group = TargetGroup(targets: [], source: "\(path):\(index)")
            if let targets = map["targets"] { group.targets = try targets.stringList() }
            var labels: [Label] = []
            if let labelMap = map["labels"] {
                for (name, value) in try labelMap.freeMapping() {
                    if !isValidLabelName(name) {
                        throw value.error(.invalidValue, "\(quoted(name)) is not a valid label name")
                    }
                    labels.append(Label(name, try value.string()))
                }
            }
            labels.append(Label(filepathLabel, path))
            group.labels = Labels(labels)
            groups.append(group)
        }
        return groups
    }
}
