import Testing
import VigilModel

@Suite struct LabelsTests {
    @Test func sortedByNameAndLaterDuplicatesWin() {
        let labels = Labels([Label("job", "a"), Label("instance", "x"), Label("job", "b")])
        #expect(labels.map(\.name) == ["instance", "job"])
        #expect(labels["job"] == "b")
        #expect(labels["missing"] == nil)
    }

    @Test func equalityAndHashIgnoreConstructionOrder() {
        let first: Labels = ["b": "2", "a": "1"]
        let second: Labels = ["a": "1", "b": "2"]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first.stableHash == second.stableHash)
    }

    /// The stable hash is FNV-1a with 0xff separators: pinned, because on-disk indexes will depend on it.
    @Test func stableHashIsPinnedAndSeparatesBoundaries() {
        #expect(Labels().stableHash == 0xcbf2_9ce4_8422_2325)
        #expect((["a": "bc"] as Labels).stableHash != (["ab": "c"] as Labels).stableHash)
        let once = (["__name__": "up", "job": "node"] as Labels).stableHash
        #expect(once == (["job": "node", "__name__": "up"] as Labels).stableHash)
    }

    @Test func settingAndRemoving() {
        let labels: Labels = ["__name__": "up", "job": "node"]
        #expect(labels.metricName == "up")
        #expect(labels.setting("job", to: "gpu")["job"] == "gpu")
        #expect(labels.setting("zone", to: "a").map(\.name) == ["__name__", "job", "zone"])
        #expect(labels.removing("__name__").metricName == nil)
    }

    @Test(arguments: [
        ("plain", "plain"), ("a\"b", #"a\"b"#), (#"back\slash"#, #"back\\slash"#), ("two\nlines", #"two\nlines"#),
    ])
    func labelValueEscaping(raw: String, escaped: String) {
        #expect(escapeLabelValue(raw) == escaped)
    }

    @Test func description() {
        #expect((["job": "a\"b", "instance": "x"] as Labels).description == #"{instance="x", job="a\"b"}"#)
    }
}

@Suite struct MetricSetTests {
    @Test func familiesKeepFirstSeenOrderAndGatherSamples() {
        var set = MetricSet()
        set.gauge("b", help: "B", labels: ["x": "1"], value: 1)
        set.counter("a_total", help: "A", value: 2)
        set.gauge("b", help: "ignored on later adds", labels: ["x": "2"], value: 3)
        #expect(set.families.map(\.name) == ["b", "a_total"])
        #expect(set.families[0].help == "B")
        #expect(set.families[0].samples.map(\.value) == [1, 3])
        #expect(set.families[1].type == .counter)
        #expect(set.sampleCount == 3)
    }

    @Test func appendMergesFamiliesOfTheSameName() {
        var first = MetricSet()
        first.gauge("g", help: "", value: 1)
        var second = MetricSet()
        second.gauge("g", help: "", value: 2)
        second.gauge("h", help: "", value: 3)
        first.append(contentsOf: second)
        #expect(first.families.map(\.name) == ["g", "h"])
        #expect(first.families[0].samples.count == 2)
    }

    @Test func samplesCompareNaNBitForBit() {
        let nan = MetricSample(name: "x", value: .nan)
        #expect(nan == MetricSample(name: "x", value: .nan))
        #expect(nan != MetricSample(name: "x", value: staleNaN))
        #expect(MetricSample(name: "x", value: 0) == MetricSample(name: "x", value: -0.0))
    }
}

@Suite struct PrometheusDurationTests {
    @Test(
        arguments: [
            ("0", 0), ("1ms", 1), ("15s", 15_000), ("1m30s", 90_000), ("1h", 3_600_000), ("2d", 172_800_000),
            ("1w", 604_800_000), ("1y", 31_536_000_000), ("1h30m15s500ms", 5_415_500),
        ] as [(String, Int64)])
    func parses(text: String, milliseconds: Int64) {
        #expect(PrometheusDuration.milliseconds(text) == milliseconds)
    }

    /// Bad input: empty, no unit, unknown unit, units out of order or repeated, negative, overflow.
    @Test(arguments: ["", "5", "1x", "s", "1s1m", "1s1s", "-1s", "1.5s", "99999999999999999999y", "106751991167y"])
    func rejects(text: String) {
        #expect(PrometheusDuration.milliseconds(text) == nil)
    }

    @Test(
        arguments: [
            (0, "0s"), (15_000, "15s"), (90_000, "1m30s"), (3_600_000, "1h"), (86_400_000 * 90, "90d"),
            (86_400_000 * 14, "2w"), (86_400_000 * 15, "15d"), (86_400_000 * 365, "1y"), (500, "500ms"),
            (3_723_004, "1h2m3s4ms"), (-15_000, "-15s"),
        ] as [(Int64, String)])
    func printsAsPrometheusDoes(milliseconds: Int64, text: String) {
        #expect(PrometheusDuration.format(milliseconds: milliseconds) == text)
        if milliseconds >= 0 { #expect(PrometheusDuration.milliseconds(text) == milliseconds) }
    }

    @Test func swiftDurationsAreWholeMilliseconds() {
        #expect(PrometheusDuration.format(.seconds(15)) == "15s")
        #expect(PrometheusDuration.milliseconds(of: .microseconds(1500)) == 1)
    }
}

@Suite struct LabelMatcherTests {
    @Test(arguments: [
        (LabelMatcher.Kind.equal, "a", "a", true), (.equal, "a", "b", false), (.notEqual, "a", "b", true),
        (.regexMatch, "foo", "foo", true), (.regexMatch, "foo", "foobar", false), (.regexMatch, "foo|bar", "bar", true),
        (.regexMatch, "fo+", "fooo", true), (.regexMatch, ".*", "", true), (.regexMatch, ".+", "", false),
        (.regexNoMatch, "foo.*", "foobar", false), (.regexNoMatch, "foo.*", "bar", true),
        (.regexMatch, "a.b", "a\nb", true), (.regexMatch, "GPU-.*", "GPU-1234", true),
    ])
    func matching(kind: LabelMatcher.Kind, value: String, candidate: String, expected: Bool) throws {
        #expect(try LabelMatcher(kind, "l", value).matches(candidate) == expected)
    }

    @Test func absentLabelMatchesAsEmpty() throws {
        let labels: Labels = ["job": "node"]
        #expect(try LabelMatcher(.equal, "instance", "").matches(labels))
        #expect(try !LabelMatcher(.notEqual, "instance", "").matches(labels))
        #expect(try LabelMatcher(.regexMatch, "instance", ".*").matchesEmpty)
    }

    @Test func invalidRegexIsAnError() {
        #expect(throws: LabelMatcherError.self) { try LabelMatcher(.regexMatch, "job", "(unclosed") }
    }

    @Test func descriptionEscapes() throws {
        #expect(try LabelMatcher(.regexMatch, "path", #"a"b"#).description == #"path=~"a\"b""#)
    }
}
