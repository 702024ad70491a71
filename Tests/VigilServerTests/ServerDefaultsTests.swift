import Testing
import VigilServer

@Suite struct ServerDefaultsTests {
    @Test func listensOnTheDocumentedPortAndDataDirectory() {
        #expect(ServerDefaults.listenAddress == "127.0.0.1:9470")
        #expect(ServerDefaults.dataDirectory == "./vigil-data")
    }
}
