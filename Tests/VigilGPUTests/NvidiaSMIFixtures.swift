import Foundation

/// The nvidia-smi fixtures in ../shared beside the checkout, read in place at run time and never copied
/// into the repository. Tests that need them are skipped, saying so, when ../shared is absent.
enum SharedFixtures {
    /// ../shared/fixtures/gpu/nvidia-smi.
    static let nvidiaSMI = SharedFolder.root.appendingPathComponent("fixtures/gpu/nvidia-smi")

    static var available: Bool { FileManager.default.fileExists(atPath: nvidiaSMI.path) }

    /// The names of the files in `folder` ("xml", "captures") ending in `suffix`, sorted; empty without ../shared.
    static func files(in folder: String, suffix: String) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: nvidiaSMI.appendingPathComponent(folder).path))
        return (names ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: nvidiaSMI.appendingPathComponent(relative)))
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: nvidiaSMI.appendingPathComponent(relative), encoding: .utf8)
    }
}

/// The labelled sections of an nvidia_gpu_exporter capture (captures/*.txt).
///
/// A section starts with a banner: a line of 80 `#`, `# <phase> :: <title>`, optionally `# $ <command>`, and
/// another line of `#`. Its body runs to the next banner. The file's own header is a banner without `::`.
struct NvidiaSMICapture {
    struct Section: Sendable, CustomStringConvertible {
        /// "capabilities", "idle", "load".
        var phase: String
        /// "query (-q)", "query-gpu (csv, what the exporter parses)", …
        var title: String
        /// The command line after `# $ `, when the banner has one.
        var command: String?
        /// The body without leading and trailing blank lines.
        var body: String
        /// The 1-based line of the banner's `# <phase> :: <title>` line.
        var line: Int

        var description: String { "\(phase) :: \(title) (line \(line))" }

        /// Whether this is `nvidia-smi -q -x` (or `--xml-format`) output.
        var isXML: Bool {
            let words = (command ?? "").split(separator: " ")
            return words.contains("-x") || words.contains("--xml-format") || body.hasPrefix("<?xml")
        }
    }

    static func sections(_ text: String) -> [Section] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let isRule: (Substring) -> Bool = { $0.count >= 20 && $0.allSatisfy { $0 == "#" } }
        var sections: [Section] = []
        var position = 0
        var current: Section?
        var body: [Substring] = []

        func finish() {
            guard var section = current else { return }
            while let first = body.first, first.allSatisfy(\.isWhitespace) { body.removeFirst() }
            while let last = body.last, last.allSatisfy(\.isWhitespace) { body.removeLast() }
            section.body = body.joined(separator: "\n")
            sections.append(section)
            current = nil
            body = []
        }

        while position < lines.count {
            let line = lines[position]
            guard isRule(line) else {
                if current != nil { body.append(line) }
                position += 1
                continue
            }
            // A banner: comment lines up to the closing rule.
            var end = position + 1
            while end < lines.count, !isRule(lines[end]), lines[end].hasPrefix("#") { end += 1 }
            let banner = lines[(position + 1)..<min(end, lines.count)]
            finish()
            if let label = banner.first(where: { $0.contains(" :: ") }) {
                let parts = label.dropFirst(2).split(separator: " :: ", maxSplits: 1)
                let command = banner.first(where: { $0.hasPrefix("# $ ") }).map { String($0.dropFirst(4)) }
                current = Section(
                    phase: String(parts[0]), title: parts.count > 1 ? String(parts[1]) : "",
                    command: command.map { $0.trimmingCharacters(in: .whitespaces) }, body: "",
                    line: banner.firstIndex(where: { $0.contains(" :: ") })! + 1)
            }
            position = end < lines.count && isRule(lines[end]) ? end + 1 : end
        }
        finish()
        return sections
    }
}
