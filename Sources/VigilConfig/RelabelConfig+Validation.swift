extension RelabelConfig {
    /// Checks the rule as Prometheus does when loading it: which fields each action needs and which
    /// it refuses. The error's key path names the offending field (`target_label`, `modulus`, …)
    /// relative to the rule.
    public func validate() throws(ConfigError) {
        func fail(_ key: String, _ message: String) -> ConfigError {
            ConfigError(.invalidValue, keyPath: key, message)
        }
        for (index, name) in sourceLabels.enumerated() where !isValidLabelName(name) {
            throw fail("source_labels[\(index)]", "\(quoted(name)) is not a valid label name")
        }
        if action == .hashmod && modulus == 0 {
            throw ConfigError(
                .missingKey, keyPath: "modulus", "relabel configuration for hashmod requires non-zero modulus")
        }
        switch action {
        case .replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal:
            if targetLabel.isEmpty {
                throw ConfigError(
                    .missingKey, keyPath: "target_label",
                    "relabel configuration for \(action.rawValue) action requires 'target_label' value")
            }
        default:
            break
        }
        switch action {
        case .lowercase, .uppercase:
            if replacement != "$1" {
                throw fail("replacement", "'replacement' can not be set for \(action.rawValue) action")
            }
        case .keepequal, .dropequal:
            let extra: String? =
                regex != .default
                ? "regex"
                : modulus != 0 ? "modulus" : separator != ";" ? "separator" : replacement != "$1" ? "replacement" : nil
            if let extra {
                throw fail(
                    extra,
                    "\(action.rawValue) action requires only 'source_labels' and 'target_label', and no other fields")
            }
        case .labelmap:
            if !isValidLabelName(replacement) {
                throw fail("replacement", "\(quoted(replacement)) is invalid 'replacement' for labelmap action")
            }
        case .labeldrop, .labelkeep:
            let extra: String? =
                !sourceLabels.isEmpty
                ? "source_labels"
                : !targetLabel.isEmpty
                    ? "target_label"
                    : modulus != 0
                        ? "modulus" : separator != ";" ? "separator" : replacement != "$1" ? "replacement" : nil
            if let extra {
                throw fail(extra, "\(action.rawValue) action requires only 'regex', and no other fields")
            }
        default:
            break
        }
    }
}
