import Foundation
import Testing
import VigilEncoding
import VigilExposition
import VigilModel

/// Every entry of `text`, parsed in `format`.
func entries(_ text: String, _ format: ExpositionFormat) throws(ExpositionError) -> [ExpositionEntry] {
    var parser = ExpositionParser(bytes: Array(text.utf8), format: format)
    var result: [ExpositionEntry] = []
    while let entry = try parser.next() { result.append(entry) }
    return result
}

/// The samples of `text`, parsed in `format`.
func samples(_ text: String, _ format: ExpositionFormat) throws(ExpositionError) -> [MetricSample] {
    try entries(text, format).compactMap { entry in
        if case .sample(let sample) = entry { sample } else { nil }
    }
}

func families(_ text: String, _ format: ExpositionFormat) throws(ExpositionError) -> [MetricFamily] {
    try ExpositionParser.parseFamilies(bytes: Array(text.utf8), format: format)
}

/// The error parsing `text` throws, or nil when it parses.
func parseError(_ text: String, _ format: ExpositionFormat) -> ExpositionError? {
    do {
        _ = try entries(text, format)
        return nil
    } catch {
        return error
    }
}

/// The bytes of the fixture file `name`.
func fixture(_ name: String) throws -> [UInt8] {
    let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return Array(try Data(contentsOf: directory.appendingPathComponent(name)))
}

func encoded(_ families: [MetricFamily], _ format: ExpositionFormat) -> String {
    String(decoding: ExpositionEncoder.encode(families, format: format), as: UTF8.self)
}
