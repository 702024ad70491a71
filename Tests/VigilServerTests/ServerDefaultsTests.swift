import Testing
import VigilConfig
import VigilServer

@Suite struct ServerDefaultsTests {
    @Test func listensOnTheDocumentedPortAndDataDirectory() {
        #expect(ServerDefaults.listenAddress == "127.0.0.1:9470")
        #expect(ServerDefaults.dataDirectory == "./vigil-data")
    }

    /// What `vigil server` runs without `--config`: the built-in text parses, with a 15 s interval for this
    /// machine's metrics and Prometheus's defaults otherwise.
    @Test func builtInConfigurationParses() throws {
        let config = try VigilConfiguration.parse(yaml: ServerRuntime.defaultConfigurationYAML)
        #expect(config.global.scrapeInterval == .seconds(15))
        #expect(config.localAgent.enabled)
        #expect(config.localAgent.scrapeInterval == .seconds(15))
        #expect(config.storage.tsdb.path == ServerDefaults.dataDirectory)
        #expect(config.scrapeConfigs.isEmpty)
        #expect(ServerRuntime.defaultConfiguration == config)
    }
}
