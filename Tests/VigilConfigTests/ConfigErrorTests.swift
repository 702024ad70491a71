import Testing
import VigilConfig

@Suite struct ConfigErrorTests {
    @Test func describesFileLineKeyPathAndMessage() {
        let error = ConfigError(
            .invalidValue, keyPath: "scrape_configs[0].scrape_interval", "not a valid duration \"15x\"", line: 12,
            column: 5, file: "vigil.yml")
        #expect(error.description == "vigil.yml:12:5: scrape_configs[0].scrape_interval: not a valid duration \"15x\"")
    }

    @Test func leavesOutWhatIsUnknown() {
        #expect(ConfigError(.missingKey, keyPath: "", "empty document").description == "empty document")
    }
}
