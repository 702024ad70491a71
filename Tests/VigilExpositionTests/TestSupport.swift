import Foundation
import Testing
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

/// SplitMix64: a tiny deterministic generator for property tests.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
