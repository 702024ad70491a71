import Testing
import VigilGPU

/// The hand-written XML reader: what it reads, and the exact error (with its position) for what it can't.
@Suite struct XMLReaderTests {
    let reader = XMLReader()

    @Test func elementsAttributesAndText() throws {
        let root = try reader.parse("<a x=\"1\" y='two'>\n  <b>text</b>\n  <c/>\n  <b>more</b>\n</a>")
        #expect(root.name == "a")
        #expect(root.attributes == ["x": "1", "y": "two"])
        #expect(root.children.map(\.name) == ["b", "c", "b"])
        #expect(root.children(named: "b").map(\.text) == ["text", "more"])
        #expect(root.value("b") == "text")
        #expect(root.child("c")?.children.isEmpty == true)
        #expect(root.value("missing") == nil)
        #expect(root.trimmedText == "")
        #expect((root.line, root.column) == (1, 1))
        #expect(root.children.map { [$0.line, $0.column] } == [[2, 3], [3, 3], [4, 3]])
    }

    @Test func nestedPaths() throws {
        let root = try reader.parse("<r><p><q> 42 MiB </q></p></r>")
        #expect(root.value("p", "q") == "42 MiB")
        #expect(root.child("p", "q")?.text == " 42 MiB ")
        #expect(root.child()?.name == "r")
    }

    @Test func predefinedEntitiesAndCharacterReferences() throws {
        let root = try reader.parse("<a t=\"&lt;&amp;&gt;\">&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600;&#233;</a>")
        #expect(root.text == "<>&'\" AB😀é")
        #expect(root.attributes["t"] == "<&>")
    }

    @Test func cdataCommentsAndProcessingInstructions() throws {
        let root = try reader.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- before -->
            <a><?pi data?>one<!-- inside --><![CDATA[ <two> & ]]>three</a>
            <!-- after --><?after?>
            """)
        #expect(root.text == "one <two> & three")
        #expect(root.children.isEmpty)
    }

    @Test func doctypeWithAnInternalSubsetIsSkipped() throws {
        let root = try reader.parse(
            """
            <!DOCTYPE a SYSTEM "a.dtd" [
              <!ELEMENT a (#PCDATA)>
              <!-- a ] and a > inside a comment -->
              <!ATTLIST a x CDATA "]>">
            ]>
            <a>ok</a>
            """)
        #expect(root.text == "ok")
        #expect(root.line == 6)
    }

    @Test func lineEndsAreNormalised() throws {
        let root = try reader.parse("<a v=\"1\r\n2\">x\r\ny\rz<![CDATA[p\r\nq]]></a>")
        #expect(root.text == "x\ny\nzp\nq")
        #expect(root.attributes["v"] == "1 2")
    }

    @Test func attributeWhiteSpaceBecomesSpacesButReferencesStay() throws {
        let root = try reader.parse("<a v=\"x\ty\nz&#10;w\"/>")
        #expect(root.attributes["v"] == "x y z\nw")
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let root = try reader.parse([0xEF, 0xBB, 0xBF] + Array("<a>é</a>".utf8))
        #expect(root.text == "é")
    }

    @Test func namesWithPunctuationAndNonASCII() throws {
        let root = try reader.parse("<ns:a-b.c_1 data-x=\"1\"><élément/></ns:a-b.c_1>")
        #expect(root.name == "ns:a-b.c_1")
        #expect(root.children.first?.name == "élément")
    }

    @Test func readerIsReusable() throws {
        #expect(try reader.parse("<a/>").name == "a")
        #expect(try reader.parse("<b/>").name == "b")
    }

    // MARK: Errors

    struct BadInput: Sendable, CustomTestStringConvertible {
        var what: String
        var bytes: [UInt8]
        var message: String
        var testDescription: String { what }

        init(_ what: String, _ text: String, _ message: String) {
            self.init(what, Array(text.utf8), message)
        }

        init(_ what: String, _ bytes: [UInt8], _ message: String) {
            self.what = what
            self.bytes = bytes
            self.message = message
        }
    }

    static let badInputs: [BadInput] = [
        BadInput(
            "mismatched closing tag", "<a>\n  <b>\n  </c>\n</a>",
            "line 3, column 3: mismatched closing tag </c>: expected </b> to close the element opened at line 2, column 3"
        ),
        BadInput(
            "truncated", "<a><b>", "line 1, column 7: unexpected end of input: <b> (line 1, column 4) is not closed"),
        BadInput(
            "truncated in a tag", "<a><b x=\"1\"", "line 1, column 12: unexpected end of input inside the start tag <b>"
        ),
        BadInput("truncated attribute", "<a x=\"1", "line 1, column 6: unterminated value of the attribute x in <a>"),
        BadInput("empty", "", "line 1, column 1: empty document"),
        BadInput("white space only", " \n ", "line 2, column 2: no root element"),
        BadInput("text, not XML", "hello", "line 1, column 1: expected '<' to start the root element, found 'h'"),
        BadInput(
            "invalid UTF-8", [0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E],
            "line 1, column 4: invalid UTF-8: byte 0x28 after 0xC3"),
        BadInput(
            "invalid UTF-8 lead byte", Array("<a>\n é".utf8) + [0xFF], "line 2, column 3: invalid UTF-8: byte 0xFF"),
        BadInput("overlong UTF-8", [0x3C, 0x61, 0x3E, 0xC0, 0xAF], "line 1, column 4: invalid UTF-8: byte 0xC0"),
        BadInput(
            "UTF-8 cut short", [0x3C, 0x61, 0x3E, 0xE2, 0x82],
            "line 1, column 4: invalid UTF-8: sequence cut short by the end of input"),
        BadInput(
            "UTF-16 surrogate", [0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80],
            "line 1, column 4: invalid UTF-8: overlong, surrogate or out-of-range sequence"),
        BadInput(
            "control character", "<a>\u{01}</a>", "line 1, column 4: control character U+0001 is not allowed in XML"),
        BadInput("NUL", [0x3C, 0x61, 0x3E, 0x00], "line 1, column 4: control character U+0000 is not allowed in XML"),
        BadInput("undefined entity", "<a>&nbsp;</a>", "line 1, column 4: undefined entity &nbsp;"),
        BadInput(
            "bare ampersand", "<a>fish & chips</a>",
            "line 1, column 9: '&' does not start an entity reference (a literal '&' is written &amp;)"),
        BadInput("NUL character reference", "<a>&#0;</a>", "line 1, column 4: &#0; is not a character XML allows"),
        BadInput(
            "huge character reference", "<a>&#x110000000000000;</a>",
            "line 1, column 4: &#x110000000000000; is not a character XML allows"),
        BadInput(
            "character reference without digits", "<a>&#x;</a>",
            "line 1, column 4: malformed character reference: expected digits and ';' after '&#'"),
        BadInput("duplicate attribute", "<a x=\"1\" x=\"2\"/>", "line 1, column 10: duplicate attribute x in <a>"),
        BadInput(
            "attributes without space", "<a x=\"1\"y=\"2\"/>",
            "line 1, column 9: expected white space, '>' or '/>' in <a>, found 'y'"),
        BadInput("unquoted attribute", "<a x=1/>", "line 1, column 6: expected a quoted value for x in <a>, found '1'"),
        BadInput(
            "'<' in an attribute", "<a x=\"<\"/>", "line 1, column 7: '<' is not allowed in the value of x in <a>"),
        BadInput("second root", "<a/>\n<b/>", "line 2, column 1: '<' after the end of the root element <a>"),
        BadInput("text after root", "<a/>x", "line 1, column 5: 'x' after the end of the root element <a>"),
        BadInput("unterminated comment", "<a><!-- never</a>", "line 1, column 4: unterminated comment"),
        BadInput("unterminated CDATA", "<a><![CDATA[ never</a>", "line 1, column 4: unterminated CDATA section"),
        BadInput(
            "unterminated processing instruction", "<?xml version=\"1.0\"",
            "line 1, column 1: unterminated processing instruction"),
        BadInput("unterminated DOCTYPE", "<!DOCTYPE a [ <!ELEMENT a ANY>", "line 1, column 1: unterminated <!DOCTYPE>"),
        BadInput("two DOCTYPEs", "<!DOCTYPE a><!DOCTYPE a><a/>", "line 1, column 13: a second <!DOCTYPE>"),
        BadInput(
            "declaration in content", "<a><!ELEMENT a ANY></a>",
            "line 1, column 4: unexpected markup declaration inside <a>"),
        BadInput(
            "no element name", "<a>< b/></a>", "line 1, column 5: expected an element name after '<', found a space"),
        BadInput("closing tag only", "</a>", "line 1, column 2: expected an element name after '<', found '/'"),
        BadInput(
            "unclosed closing tag", "<a></a",
            "line 1, column 7: expected '>' to end the closing tag </a>, found the end of input"),
        BadInput(
            "slash without '>'", "<a/ >", "line 1, column 4: expected '>' after '/' in the start tag <a>, found a space"
        ),
    ]

    @Test(arguments: badInputs)
    func badInput(_ input: BadInput) {
        let error = #expect(throws: GPUError.self) { try reader.parse(input.bytes) }
        #expect(error?.code == .malformedOutput)
        #expect(error?.message == "malformed XML at " + input.message)
    }

    static let small = Array(
        """
        <?xml version="1.0" ?>
        <!DOCTYPE log SYSTEM "log.dtd">
        <log a="1&amp;2">
          <!-- c --><gpu id="x"><name>A &lt; B</name><v><![CDATA[x]]></v><e/></gpu>
          <n>&#233;t&#xE9;</n>
        </log>
        <!-- end -->

        """.utf8)

    /// Every prefix of a small document: an error, or the whole tree once the root is closed. Never a crash.
    @Test func everyPrefixOfASmallDocument() throws {
        let full = try reader.parse(Self.small)
        let rootEnd = Array(Self.small).indices.first { Array(Self.small[$0...]).starts(with: Array("</log>".utf8)) }!
        for length in 0...Self.small.count {
            switch Result(catching: { () throws(GPUError) in try reader.parse(Array(Self.small[0..<length])) }) {
            case .success(let root):
                #expect(length >= rootEnd + 6, "prefix of \(length) bytes")
                #expect(root == full)
            case .failure(let error):
                #expect(length != rootEnd + 6 && length != Self.small.count, "\(length) bytes: \(error.message)")
                #expect(error.message.hasPrefix("malformed XML at line "))
            }
        }
    }

    @Test func nestingDeeperThanTheLimit() {
        let depth = 257
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let error = #expect(throws: GPUError.self) { try reader.parse(text) }
        #expect(error?.message == "malformed XML at line 1, column 769: elements nested deeper than 256 levels")
        let fits = String(repeating: "<a>", count: 256) + String(repeating: "</a>", count: 256)
        #expect(throws: Never.self) { try reader.parse(fits) }
        #expect(throws: GPUError.self) { try XMLReader(maxDepth: 2).parse("<a><b><c/></b></a>") }
    }

    /// A million open tags: an error, not a stack overflow.
    @Test func pathologicallyDeepInput() {
        let bytes = Array(repeating: Array("<a>".utf8), count: 1_000_000).flatMap { $0 }
        let error = #expect(throws: GPUError.self) { try reader.parse(bytes) }
        #expect(error?.message.contains("nested deeper than 256") == true)
    }

    /// Random bytes, and a real document with bytes overwritten at random: errors or trees, never a crash.
    @Test func garbageNeverCrashes() {
        var generator = XMLFuzzRandom(seed: 0x5EED)
        for _ in 0..<2000 {
            let count = Int(generator.next() % 200)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = Result(catching: { () throws(GPUError) in try reader.parse(bytes) })
        }
        let alphabet = Array("<>/&;#x=\"' ![]-?ab\n".utf8)
        for _ in 0..<2000 {
            var bytes = Self.small
            for _ in 0..<(1 + generator.next() % 4) {
                bytes[Int(generator.next() % UInt64(bytes.count))] =
                    alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            if case .failure(let error) = Result(catching: { () throws(GPUError) in try reader.parse(bytes) }) {
                #expect(error.message.hasPrefix("malformed XML at line "))
            }
        }
    }
}

/// A small deterministic generator, so a failure can be replayed.
private struct XMLFuzzRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
