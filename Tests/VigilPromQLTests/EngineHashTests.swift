import Testing

@testable import VigilPromQL

@Suite struct EngineHashTests {
    /// Reference values of XXH64 (seed 0), the hash Prometheus's `limit_ratio` samples by.
    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999 as UInt64),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
    ])
    func xxHash64MatchesTheReference(input: String, expected: UInt64) {
        #expect(xxHash64(Array(input.utf8)) == expected)
    }
}
