/// Go's `regexp.Regexp.Expand` template syntax, which Prometheus uses for relabelling replacements and for
/// `label_replace()`: `$1` and `${1}` are numbered groups, `$name` and `${name}` named ones, `$$` is a
/// literal `$`, and a `$` not followed by a valid reference stays as it is.
///
/// As in Go, a name is the longest run of letters, digits and `_` (so `$1x` refers to the group named
/// `1x`, which usually does not exist and expands to ""), and a number with a leading zero or of nine or
/// more digits is a name, not a number.
public enum RegexTemplate {
    /// What a `$` reference points at.
    public enum Reference: Hashable, Sendable {
        case number(Int)
        case name(String)
    }

    /// Expands `template`, asking `group` for the text of each reference ("" for a group that does not
    /// exist or did not take part in the match).
    public static func expand(_ template: String, _ group: (Reference) -> String) -> String {
        guard template.utf8.contains(UInt8(ascii: "$")) else { return template }
        var out = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                out += "$"
                rest = rest.dropFirst()
                continue
            }
            guard let (name, after) = referenceName(rest) else {
                out += "$"
                continue
            }
            rest = after
            out += group(reference(name))
        }
        out += rest
        return out
    }

    static func reference(_ name: String) -> Reference {
        guard name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), name.utf8.count < 9,
            name == "0" || name.first != "0", let number = Int(name)
        else { return .name(name) }
        return .number(number)
    }

    /// The name after a `$` (`name` or `{name}`) and what follows it; nil when there is none.
    private static func referenceName(_ text: Substring) -> (String, Substring)? {
        var rest = text
        let braced = rest.first == "{"
        if braced { rest = rest.dropFirst() }
        let name = rest.prefix { character in
            character.unicodeScalars.allSatisfy { scalar in
                scalar == "_" || scalar.properties.numericType == .decimal
                    || isLetter(scalar.properties.generalCategory)
            }
        }
        guard !name.isEmpty else { return nil }
        rest = rest[name.endIndex...]
        if braced {
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        return (String(name), rest)
    }

    private static func isLetter(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }
}
