import Testing
import VigilGPU

/// nvidia_gpu_exporter's multi-command captures (captures/*.txt): their sections, and the parser on every
/// `nvidia-smi -q -x` section in them.
@Suite(.enabled(if: SharedFixtures.available, "../shared is absent: nvidia-smi fixtures skipped"))
struct NvidiaSMICaptureTests {
    static var captures: [String] { SharedFixtures.files(in: "captures", suffix: ".txt") }

    @Test func thereAreCaptures() {
        #expect(Self.captures.count == 6)
    }

    /// Each capture has the commands of its idle and load phases, in labelled sections.
    @Test(arguments: captures)
    func sectionsAreFound(file: String) throws {
        let sections = NvidiaSMICapture.sections(try SharedFixtures.text("captures/" + file))
        for phase in ["idle", "load"] {
            let titles = sections.filter { $0.phase == phase }.map(\.title)
            #expect(titles.contains("query (-q)"), "\(phase) in \(file)")
            #expect(titles.contains("query-compute-apps (per-process)"), "\(phase) in \(file)")
            #expect(titles.contains { $0.hasPrefix("query-gpu") }, "\(phase) in \(file)")
        }
        let query = try #require(sections.first { $0.phase == "idle" && $0.title == "query (-q)" })
        #expect(query.command == "nvidia-smi -q")
        #expect(query.body.hasPrefix("==============NVSMI LOG=============="))
        #expect(sections.allSatisfy { ["capabilities", "idle", "load"].contains($0.phase) })
    }

    /// Every `-q -x` section parses. (The captures in ../shared today hold `-q` text, not XML: see below.)
    @Test(arguments: captures)
    func everyXMLSectionParses(file: String) throws {
        for section in NvidiaSMICapture.sections(try SharedFixtures.text("captures/" + file)) where section.isXML {
            let (readings, issues) = try NvidiaSMIXML.parseWithIssues(Array(section.body.utf8))
            #expect(!readings.isEmpty, "\(section) of \(file)")
            #expect(issues == [], "\(section) of \(file)")
        }
    }

    /// The captures were taken without `-q -x`. When ones with XML sections arrive, give them value checks
    /// like NvidiaSMIXMLFixtureTests' and drop this test.
    @Test func capturesHoldNoXMLSectionsYet() throws {
        let xmlSections = try Self.captures.flatMap { file in
            NvidiaSMICapture.sections(try SharedFixtures.text("captures/" + file)).filter(\.isXML)
        }
        #expect(xmlSections.isEmpty, "captures now hold -q -x sections: \(xmlSections)")
    }

    /// The section reader on a capture holding an XML section, written the way the real ones are.
    @Test func xmlSectionOfASyntheticCapture() throws {
        let xml = try SharedFixtures.text("xml/telegraf__tesla-t4.xml")
        let rule = String(repeating: "#", count: 80)
        let capture = """
            \(rule)
            # nvidia_gpu_exporter GPU capture
            \(rule)
            # comment lines of the header
            collected_at:   2026-07-14T09:00:26Z


            \(rule)
            # idle :: query xml (-q -x)
            # $ nvidia-smi -q -x
            \(rule)

            \(xml)


            \(rule)
            # idle :: dmon (per-device monitor, incl. PCIe rx/tx)
            # $ nvidia-smi dmon -c 5
            \(rule)
            # gpu    pwr  gtemp
            # Idx      W      C
                0     83     46

            """
        let sections = NvidiaSMICapture.sections(capture)
        // The XML starts on line 13; the next banner's label is four lines after its last line.
        let dmonLine = 12 + xml.split(separator: "\n", omittingEmptySubsequences: false).count + 4
        #expect(
            sections.map(\.description) == [
                "idle :: query xml (-q -x) (line 9)",
                "idle :: dmon (per-device monitor, incl. PCIe rx/tx) (line \(dmonLine))",
            ])
        #expect(sections.map(\.isXML) == [true, false])
        #expect(sections[1].body.hasPrefix("# gpu    pwr  gtemp"))
        let readings = try NvidiaSMIXML.parse(Array(sections[0].body.utf8))
        #expect(readings.map(\.identity.name) == ["Tesla T4"])
        #expect(readings.first?.processes.count == 2)
    }
}
