import Testing
import VigilEncoding

@Suite("CRC32C")
struct CRC32CTests {
    /// The check value of the CRC catalogue and the test vectors of RFC 3720 (iSCSI), appendix B.4.
    static let vectors: [(String, [UInt8], UInt32)] = [
        ("empty", [], 0x0000_0000),
        ("123456789", Array("123456789".utf8), 0xE306_9283),
        ("32 bytes of zeros", [UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ("32 bytes of ones", [UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        ("32 incrementing bytes", (0..<32).map { UInt8($0) }, 0x46DD_794E),
        ("32 decrementing bytes", (0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
        (
            "an iSCSI read command PDU",
            [
                0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
                0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            0xD996_3A56
        ),
        ("a", Array("a".utf8), 0xC1D0_4330),
    ]

    @Test("known vectors", arguments: vectors)
    func knownVectors(name: String, input: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(input) == expected, "\(name)")
        input.withUnsafeBytes { #expect(CRC32C.checksum($0) == expected) }
    }

    /// Bit-at-a-time reference: the definition, with no tables.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
        }
        return ~crc
    }

    @Test("slicing-by-8 agrees with the bitwise definition at every length and alignment")
    func matchesReference() {
        var random = SplitMix64(seed: 5)
        let data = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = data[start..<end]
                #expect(CRC32C.checksum(slice) == Self.reference(Array(slice)))
            }
        }
    }

    @Test("updating in pieces equals one pass")
    func incremental() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC32C()
            crc.update(Array(data[..<split]))
            crc.update(data[split...])
            #expect(crc.value == whole)
        }
    }
}
