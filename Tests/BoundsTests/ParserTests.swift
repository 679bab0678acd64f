import Testing
@testable import Bounds

@Suite struct ParserTests {
    @Test func parsesPrecedence() throws {
        let e = try Expression(parsing: "-x^2 + 3*y/z")
        #expect(e.plainText == "-x^2 + 3*y/z")
    }
}
