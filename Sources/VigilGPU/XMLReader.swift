/// A small, non-validating XML reader for tool output such as `nvidia-smi -q -x`.
///
/// Hand-written so that a static Linux build needs no libxml2 (Foundation's `XMLParser` does). It reads
/// elements, attributes, text, CDATA, comments, processing instructions (`<?xml …?>`), a `<!DOCTYPE …>`
/// (skipped, internal subset included), the five predefined entities and numeric character references.
/// Entities declared in a DTD are not expanded: a reference to one is an error.
///
/// Every problem is a ``GPUError`` with code ``GPUError/Code/malformedOutput`` whose message starts with
/// the line and column (1-based, in characters). No input makes it crash: the input is checked to be UTF-8
/// first, the tree is built without recursion, and nesting deeper than ``maxDepth`` is an error.
/// A reader holds only its settings; one can be reused for any number of documents.
public struct XMLReader: Sendable {
    /// The deepest nesting accepted; the root element is depth 1.
    public var maxDepth: Int

    public init(maxDepth: Int = 256) {
        self.maxDepth = maxDepth
    }

    /// The root element of `bytes`, a UTF-8 document (a byte order mark is skipped).
    public func parse(_ bytes: [UInt8]) throws(GPUError) -> XMLElement {
        var parser = DocumentParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.document()
    }

    /// The root element of `text`.
    public func parse(_ text: String) throws(GPUError) -> XMLElement {
        try parse(Array(text.utf8))
    }
}

/// One pass over one document.
private struct DocumentParser {
    let bytes: [UInt8]
    let maxDepth: Int
    /// The next byte to read.
    var index = 0

    /// Where ``position(of:)`` last stopped, so that element positions cost one pass over the input in all.
    var cursorOffset = 0
    var cursorLine = 1
    var cursorLineStart = 0

    /// An element whose end tag has not been read yet.
    struct OpenElement {
        var element: XMLElement
        var text: [UInt8] = []
    }

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = max(1, maxDepth)
    }

    // MARK: Document structure

    mutating func document() throws(GPUError) -> XMLElement {
        try validateEncoding()
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        var sawDoctype = false
        while true {
            skipSpace()
            guard index < bytes.count else {
                throw failure(index == 0 ? "empty document" : "no root element", at: index)
            }
            if has(Literal.piOpen) {
                try skipProcessingInstruction()
            } else if has(Literal.commentOpen) {
                try skipComment()
            } else if has(Literal.doctypeOpen) {
                guard !sawDoctype else { throw failure("a second <!DOCTYPE>", at: index) }
                sawDoctype = true
                try skipDoctype()
            } else if bytes[index] == UInt8(ascii: "<") {
                break
            } else {
                throw failure("expected '<' to start the root element, found \(describe(at: index))", at: index)
            }
        }
        let root = try elementTree()
        while true {
            skipSpace()
            guard index < bytes.count else { return root }
            if has(Literal.piOpen) {
                try skipProcessingInstruction()
            } else if has(Literal.commentOpen) {
                try skipComment()
            } else {
                throw failure("\(describe(at: index)) after the end of the root element <\(root.name)>", at: index)
            }
        }
    }

    /// Reads one element and everything in it; `index` is at its `<`.
    mutating func elementTree() throws(GPUError) -> XMLElement {
        let (first, firstIsEmpty) = try startTag()
        if firstIsEmpty { return first.element }
        var stack = [first]
        while true {
            guard index < bytes.count else {
                let open = stack[stack.count - 1].element
                throw failure(
                    "unexpected end of input: <\(open.name)> (line \(open.line), column \(open.column)) is not closed",
                    at: index)
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                if has(Literal.endTagOpen) {
                    let offset = index
                    index += 2
                    let name = try readName("an element name after '</'")
                    skipSpace()
                    try expect(UInt8(ascii: ">"), "to end the closing tag </\(name)>")
                    var closed = stack.removeLast()
                    guard closed.element.name == name else {
                        let open = closed.element
                        throw failure(
                            "mismatched closing tag </\(name)>: expected </\(open.name)> to close the element "
                                + "opened at line \(open.line), column \(open.column)", at: offset)
                    }
                    closed.element.text = String(decoding: closed.text, as: UTF8.self)
                    if stack.isEmpty { return closed.element }
                    stack[stack.count - 1].element.children.append(closed.element)
                } else if has(Literal.commentOpen) {
                    try skipComment()
                } else if has(Literal.cdataOpen) {
                    try readCDATA(into: &stack[stack.count - 1].text)
                } else if has(Literal.piOpen) {
                    try skipProcessingInstruction()
                } else if has(Literal.declarationOpen) {
                    throw failure(
                        "unexpected markup declaration inside <\(stack[stack.count - 1].element.name)>", at: index)
                } else {
                    guard stack.count < maxDepth else {
                        throw failure("elements nested deeper than \(maxDepth) levels", at: index)
                    }
                    let (child, isEmpty) = try startTag()
                    if isEmpty {
                        stack[stack.count - 1].element.children.append(child.element)
                    } else {
                        stack.append(child)
                    }
                }
            } else if byte == UInt8(ascii: "&") {
                try readReference(into: &stack[stack.count - 1].text)
            } else {
                readText(into: &stack[stack.count - 1].text)
            }
        }
    }

    /// Reads `<name attr="value" …>` or `<name …/>`; `index` is at the `<`.
    mutating func startTag() throws(GPUError) -> (OpenElement, isEmpty: Bool) {
        let offset = index
        index += 1
        let name = try readName("an element name after '<'")
        let (line, column) = position(of: offset)
        var element = XMLElement(name: name, line: line, column: column)
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else {
                throw failure("unexpected end of input inside the start tag <\(name)>", at: index)
            }
            switch bytes[index] {
            case UInt8(ascii: ">"):
                index += 1
                return (OpenElement(element: element), false)
            case UInt8(ascii: "/"):
                index += 1
                try expect(UInt8(ascii: ">"), "after '/' in the start tag <\(name)>")
                return (OpenElement(element: element), true)
            default:
                guard hadSpace else {
                    throw failure(
                        "expected white space, '>' or '/>' in <\(name)>, found \(describe(at: index))", at: index)
                }
            }
            let attributeOffset = index
            let attribute = try readName("an attribute name or '>' in <\(name)>")
            skipSpace()
            try expect(UInt8(ascii: "="), "after the attribute \(attribute) in <\(name)>")
            skipSpace()
            let value = try readAttributeValue(attribute, in: name)
            guard element.attributes[attribute] == nil else {
                throw failure("duplicate attribute \(attribute) in <\(name)>", at: attributeOffset)
            }
            element.attributes[attribute] = value
        }
    }

    mutating func readAttributeValue(_ attribute: String, in element: String) throws(GPUError) -> String {
        guard index < bytes.count else {
            throw failure("unexpected end of input: expected the value of \(attribute) in <\(element)>", at: index)
        }
        let quote = bytes[index]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw failure(
                "expected a quoted value for \(attribute) in <\(element)>, found \(describe(at: index))", at: index)
        }
        let offset = index
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else {
                throw failure("unterminated value of the attribute \(attribute) in <\(element)>", at: offset)
            }
            let byte = bytes[index]
            switch byte {
            case quote:
                index += 1
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "<"):
                throw failure("'<' is not allowed in the value of \(attribute) in <\(element)>", at: index)
            case UInt8(ascii: "&"):
                try readReference(into: &value)
            case UInt8(ascii: "\r"):
                // A line break (CR LF, CR or LF) becomes one space, as XML's attribute-value normalisation says.
                value.append(UInt8(ascii: " "))
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\n"), UInt8(ascii: "\t"):
                value.append(UInt8(ascii: " "))
                index += 1
            default:
                value.append(byte)
                index += 1
            }
        }
    }

    // MARK: Character data

    /// Appends a run of text up to the next `<` or `&`, with line ends normalised to LF.
    mutating func readText(into text: inout [UInt8]) {
        while index < bytes.count {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\r") { break }
                index += 1
            }
            text.append(contentsOf: bytes[start..<index])
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\r") else { return }
            text.append(UInt8(ascii: "\n"))
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
        }
    }

    /// Reads `&name;`, `&#NNN;` or `&#xHHH;` and appends the character it stands for.
    mutating func readReference(into text: inout [UInt8]) throws(GPUError) {
        let offset = index
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
            index += 1
            var radix: UInt32 = 10
            if index < bytes.count, bytes[index] == UInt8(ascii: "x") {
                radix = 16
                index += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while index < bytes.count, let digit = Self.digitValue(bytes[index], radix: radix) {
                value = min(value * radix + digit, 0x11_0000)
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ";") else {
                throw failure("malformed character reference: expected digits and ';' after '&#'", at: offset)
            }
            index += 1
            guard Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
                let written = String(decoding: bytes[offset..<index], as: UTF8.self)
                throw failure("\(written) is not a character XML allows", at: offset)
            }
            UTF8.encode(scalar) { text.append($0) }
            return
        }
        let nameStart = index
        while index < bytes.count, index - nameStart < 64, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > nameStart, index < bytes.count, bytes[index] == UInt8(ascii: ";") else {
            throw failure("'&' does not start an entity reference (a literal '&' is written &amp;)", at: offset)
        }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        index += 1
        switch name {
        case "amp": text.append(UInt8(ascii: "&"))
        case "lt": text.append(UInt8(ascii: "<"))
        case "gt": text.append(UInt8(ascii: ">"))
        case "apos": text.append(UInt8(ascii: "'"))
        case "quot": text.append(UInt8(ascii: "\""))
        default: throw failure("undefined entity &\(name);", at: offset)
        }
    }

    mutating func readCDATA(into text: inout [UInt8]) throws(GPUError) {
        let offset = index
        index += Literal.cdataOpen.count
        guard let end = find(Literal.cdataClose) else { throw failure("unterminated CDATA section", at: offset) }
        for position in index..<end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\r") {
                if position + 1 < end, bytes[position + 1] == UInt8(ascii: "\n") { continue }
                text.append(UInt8(ascii: "\n"))
            } else {
                text.append(byte)
            }
        }
        index = end + Literal.cdataClose.count
    }

    // MARK: Markup that is skipped

    mutating func skipComment() throws(GPUError) {
        let offset = index
        index += Literal.commentOpen.count
        guard let end = find(Literal.commentClose) else { throw failure("unterminated comment", at: offset) }
        index = end + Literal.commentClose.count
    }

    mutating func skipProcessingInstruction() throws(GPUError) {
        let offset = index
        index += Literal.piOpen.count
        guard let end = find(Literal.piClose) else { throw failure("unterminated processing instruction", at: offset) }
        index = end + Literal.piClose.count
    }

    /// Skips `<!DOCTYPE name SYSTEM "…" [ internal subset ]>`, minding quotes, brackets and comments.
    mutating func skipDoctype() throws(GPUError) {
        let offset = index
        index += Literal.doctypeOpen.count
        var inSubset = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                index += 1
                while index < bytes.count, bytes[index] != byte { index += 1 }
                index += 1
            } else if inSubset, has(Literal.commentOpen) {
                try skipComment()
            } else if byte == UInt8(ascii: "[") {
                inSubset = true
                index += 1
            } else if byte == UInt8(ascii: "]") {
                inSubset = false
                index += 1
            } else if byte == UInt8(ascii: ">"), !inSubset {
                index += 1
                return
            } else {
                index += 1
            }
        }
        throw failure("unterminated <!DOCTYPE>", at: offset)
    }

    // MARK: Bytes

    /// Skips XML white space; tells whether there was any.
    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = index
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    mutating func readName(_ expected: String) throws(GPUError) -> String {
        guard index < bytes.count else { throw failure("unexpected end of input: expected \(expected)", at: index) }
        guard Self.isNameStartByte(bytes[index]) else {
            throw failure("expected \(expected), found \(describe(at: index))", at: index)
        }
        let start = index
        index += 1
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func expect(_ byte: UInt8, _ context: String) throws(GPUError) {
        guard index < bytes.count, bytes[index] == byte else {
            let wanted = String(decoding: [byte], as: UTF8.self)
            throw failure("expected '\(wanted)' \(context), found \(describe(at: index))", at: index)
        }
        index += 1
    }

    func has(_ literal: [UInt8]) -> Bool {
        guard bytes.count - index >= literal.count else { return false }
        for (offset, byte) in literal.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }

    /// The offset of the next `literal` at or after `index`.
    func find(_ literal: [UInt8]) -> Int? {
        guard let first = literal.first, bytes.count >= literal.count else { return nil }
        var position = index
        while position <= bytes.count - literal.count {
            if bytes[position] == first {
                var matches = true
                for offset in 1..<literal.count where bytes[position + offset] != literal[offset] {
                    matches = false
                    break
                }
                if matches { return position }
            }
            position += 1
        }
        return nil
    }

    /// Rejects what is not UTF-8 and the control characters XML 1.0 forbids, before anything else is read.
    func validateEncoding() throws(GPUError) {
        var position = 0
        while position < bytes.count {
            let lead = bytes[position]
            if lead < 0x80 {
                if lead < 0x20, lead != 0x09, lead != 0x0A, lead != 0x0D {
                    throw failure("control character U+\(Self.hex(UInt32(lead))) is not allowed in XML", at: position)
                }
                position += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum, scalar) = (2, 0x80, UInt32(lead & 0x1F))
            case 0xE0...0xEF: (length, minimum, scalar) = (3, 0x800, UInt32(lead & 0x0F))
            case 0xF0...0xF4: (length, minimum, scalar) = (4, 0x1_0000, UInt32(lead & 0x07))
            default: throw failure("invalid UTF-8: byte 0x\(Self.hex(UInt32(lead), width: 2))", at: position)
            }
            guard position + length <= bytes.count else {
                throw failure("invalid UTF-8: sequence cut short by the end of input", at: position)
            }
            for offset in 1..<length {
                let continuation = bytes[position + offset]
                guard continuation & 0xC0 == 0x80 else {
                    throw failure(
                        "invalid UTF-8: byte 0x\(Self.hex(UInt32(continuation), width: 2)) after 0x"
                            + Self.hex(UInt32(lead), width: 2), at: position)
                }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10_FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw failure("invalid UTF-8: overlong, surrogate or out-of-range sequence", at: position)
            }
            guard scalar != 0xFFFE, scalar != 0xFFFF else {
                throw failure("character U+\(Self.hex(scalar)) is not allowed in XML", at: position)
            }
            position += length
        }
    }

    // MARK: Positions and messages

    /// Line and column of `offset`, moving a cursor forward (element starts only ever move forward).
    mutating func position(of offset: Int) -> (line: Int, column: Int) {
        if offset < cursorOffset { (cursorOffset, cursorLine, cursorLineStart) = (0, 1, 0) }
        while cursorOffset < offset {
            if bytes[cursorOffset] == UInt8(ascii: "\n") {
                cursorLine += 1
                cursorLineStart = cursorOffset + 1
            }
            cursorOffset += 1
        }
        return (cursorLine, Self.column(bytes, from: cursorLineStart, to: offset))
    }

    /// The error for a problem at `offset`.
    func failure(_ message: String, at offset: Int) -> GPUError {
        let offset = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<offset where bytes[position] == UInt8(ascii: "\n") {
            line += 1
            lineStart = position + 1
        }
        let column = Self.column(bytes, from: lineStart, to: offset)
        return GPUError(.malformedOutput, "malformed XML at line \(line), column \(column): \(message)")
    }

    /// The character at `offset`, for a message.
    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of input" }
        let byte = bytes[offset]
        switch byte {
        case 0x21..<0x7F: return "'\(String(decoding: [byte], as: UTF8.self))'"
        case UInt8(ascii: " "): return "a space"
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "a line break"
        case UInt8(ascii: "\t"): return "a tab"
        default:
            let end = min(offset + 4, bytes.count)
            let scalar = String(decoding: bytes[offset..<end], as: UTF8.self).unicodeScalars.first
            return "U+\(Self.hex(scalar?.value ?? UInt32(byte)))"
        }
    }

    static func column(_ bytes: [UInt8], from lineStart: Int, to offset: Int) -> Int {
        var column = 1
        for position in lineStart..<offset where bytes[position] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    static func hex(_ value: UInt32, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: Character classes

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Name start characters, loosely: ASCII letters, `_`, `:` and anything outside ASCII.
    static func isNameStartByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStartByte(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }

    static func digitValue(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// XML 1.0's `Char` production.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x10_FFFF: return true
        default: return false
        }
    }
}

/// The fixed strings the reader looks for.
private enum Literal {
    static let commentOpen = Array("<!--".utf8)
    static let commentClose = Array("-->".utf8)
    static let cdataOpen = Array("<![CDATA[".utf8)
    static let cdataClose = Array("]]>".utf8)
    static let piOpen = Array("<?".utf8)
    static let piClose = Array("?>".utf8)
    static let doctypeOpen = Array("<!DOCTYPE".utf8)
    static let declarationOpen = Array("<!".utf8)
    static let endTagOpen = Array("</".utf8)
}
