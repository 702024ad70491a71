/// One element of a document read by ``XMLReader``: its name, attributes, child elements and the character
/// data directly inside it.
///
/// Mixed content keeps no order between text and children: enough for `nvidia-smi -q -x`, whose elements hold
/// either text or children. Next to Foundation on Darwin, which has a class of the same name, spell it
/// `VigilGPU.XMLElement`.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// Text and CDATA directly inside this element, concatenated, references decoded, untrimmed.
    public var text: String
    /// Where the start tag's `<` is: 1-based line and column (in characters).
    public var line: Int
    public var column: Int

    public init(
        name: String, attributes: [String: String] = [:], children: [XMLElement] = [], text: String = "",
        line: Int = 0, column: Int = 0
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
        self.column = column
    }

    /// The first descendant reached by following `path`, one child name per step; `self` for an empty path.
    public func child(_ path: String...) -> XMLElement? {
        child(path: path)
    }

    /// The first descendant reached by following `path`, one child name per step; `self` for an empty path.
    public func child(path: [String]) -> XMLElement? {
        var element = self
        for name in path {
            guard let next = element.children.first(where: { $0.name == name }) else { return nil }
            element = next
        }
        return element
    }

    /// Every direct child called `name`, in document order.
    public func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The text of the descendant at `path` without leading and trailing white space; nil when there is none.
    public func value(_ path: String...) -> String? {
        child(path: path)?.trimmedText
    }

    /// ``text`` without leading and trailing white space.
    public var trimmedText: String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isSpace($0) })!
        return String(scalars[first...last])
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }
}
