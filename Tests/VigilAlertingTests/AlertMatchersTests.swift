import Testing
import VigilAlerting
import VigilModel

@Suite struct AlertMatchersTests {
    @Test(arguments: [
        (#"severity="critical""#, #"severity="critical""#),
        (#"team=~"gpu|infra""#, #"team=~"gpu|infra""#),
        ("a=b", #"a="b""#),
        (#"  a != "x\"y" "#, #"a!="x\"y""#),
        (#"a!~"b\nc""#, #"a!~"b\nc""#),
    ])
    func parsesOne(_ input: String, _ printed: String) throws {
        #expect(AlertMatchers.format(try AlertMatchers.parse(input)) == printed)
    }

    @Test func parsesLists() throws {
        let matchers = try AlertMatchers.parseList(#"{a="b",c!="d,e"}"#)
        #expect(AlertMatchers.format(matchers) == #"{a="b",c!="d,e"}"#)
    }

    @Test(arguments: [
        ("=b", "bad matcher format: =b"),
        ("a", "bad matcher format: a"),
        (#"a="b"#, #"matcher value contains unescaped double quote: "b"#),
        (#"a="b"c""#, #"matcher value contains unescaped double quote: "b"c""#),
        (#"a=~"(""#, #"invalid regular expression "(" in matcher for label "a""#),
    ])
    func rejects(_ input: String, _ message: String) {
        #expect(throws: AlertingError(.matcher, message)) { try AlertMatchers.parse(input) }
    }
}
