import Testing
import VigilModel

@Suite struct RegexTemplateTests {
    /// Groups: 0 = "whole", 1 = "a", 2 = "b"; the group named "host" is 2.
    static func group(_ reference: RegexTemplate.Reference) -> String {
        switch reference {
        case .number(let number): ["whole", "a", "b"].indices.contains(number) ? ["whole", "a", "b"][number] : ""
        case .name(let name): name == "host" ? "b" : ""
        }
    }

    @Test(
        arguments: [
            ("$1", "a"), ("${1}", "a"), ("$2-$1", "b-a"), ("$0", "whole"), ("$host", "b"), ("${host}:9100", "b:9100"),
            ("$$1", "$1"), ("$", "$"), ("a$", "a$"), ("${1", "${1"), ("$1x", ""), ("${1}x", "ax"), ("$01", ""),
            ("$9", ""), ("no dollar", "no dollar"), ("$-", "$-"), ("${}", "${}"), ("$ü", ""),
        ] as [(String, String)])
    func expandsAsGoDoes(template: String, expected: String) {
        #expect(RegexTemplate.expand(template, Self.group) == expected)
    }
}
