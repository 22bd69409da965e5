import Testing
import YAML

@Suite("YAML on libyaml")
struct YAMLNodeTests {
    @Test func parsesMappingsSequencesAndScalarsInOrder() throws {
        let text = """
            # a comment
            reference: localhost/x
            layers:
              - name: base
                contents: [{mkdir: /a}, {file: "b c", mode: '0644'}]
            flag: yes
            """
        let root = try #require(try YAMLNode.parse(text))
        #expect(root.mapping?.map(\.key.scalar) == ["reference", "layers", "flag"])
        #expect(root["reference"]?.string == "localhost/x")
        let layer = try #require(root["layers"]?.sequence?.first)
        #expect(layer["name"]?.string == "base")
        let contents = try #require(layer["contents"]?.sequence)
        #expect(contents.count == 2)
        #expect(contents[1]["file"]?.string == "b c")
        #expect(contents[1]["mode"]?.string == "0644", "quoted scalars keep their text")
        #expect(root["flag"]?.bool == true)
        #expect(root["reference"]?.bool == nil)
        #expect(root["layers"]?.mark == YAMLMark(line: 4, column: 3))
    }

    @Test func readsJSON() throws {
        let root = try #require(try YAMLNode.parse(#"{"services": [{"host": "a.example", "upstream": "http://127.0.0.1:8080"}]}"#))
        #expect(root["services"]?.sequence?.first?["upstream"]?.string == "http://127.0.0.1:8080")
    }

    @Test func emptyTextHoldsNoDocument() throws {
        #expect(try YAMLNode.parse("") == nil)
        #expect(try YAMLNode.parse("# only a comment\n") == nil)
    }

    @Test func resolvesAliases() throws {
        let root = try #require(try YAMLNode.parse("a: &x [1, 2]\nb: *x\n"))
        #expect(root["b"] != nil)
        #expect(root["b"]?.sequence?.map(\.scalar) == ["1", "2"])
    }

    @Test(arguments: [
        ("reference: [unclosed", "line 2, column 1: did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 12)"),
        ("a: 1\na: 2\n", "line 2, column 1: duplicate key \"a\" (first at line 1, column 1)"),
        ("a: *nowhere\n", "line 1, column 4: alias *nowhere names no anchor before it"),
        ("a: 1\n---\nb: 2\n", "line 2, column 1: a second document (---): expected exactly one"),
        (
            "a:\n\tb: 1\n",
            "line 2, column 1: found character that cannot start any token (while scanning for the next token started at line 2, column 1)"
        ),
    ])
    func errorsNameLineColumnAndProblem(text: String, message: String) {
        do {
            _ = try YAMLNode.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func refusesRunawayNesting() {
        let text = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: YAMLError.self) { try YAMLNode.parse(text) }
    }
}
