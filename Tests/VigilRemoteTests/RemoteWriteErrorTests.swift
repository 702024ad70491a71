import Testing
import VigilRemote

@Suite struct RemoteWriteErrorTests {
    @Test func printsItsMessage() {
        #expect(
            RemoteWriteError(.badCompression, "snappy: corrupt input at offset 3").description
                == "snappy: corrupt input at offset 3")
    }
}
