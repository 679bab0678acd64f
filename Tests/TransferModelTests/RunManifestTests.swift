import Foundation
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The manifest's timestamps: UTC ISO 8601 to the second, as Foundation's formatter writes them.
struct RunManifestTests {
    /// Compared with Foundation's ISO8601DateFormatter (an independent implementation) on dates
    /// across a leap day, a year boundary, the epoch and a fractional second (truncated, not rounded).
    @Test(arguments: [0.0, 951_782_400, 1_798_761_599.75, 1_830_297_600, 2_000_000_000.999])
    func timestampsMatchFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(RunManifest.iso8601(date) == ISO8601DateFormatter().string(from: date))
    }
}

/// The JSON writer against Foundation's parser (an independent implementation): every value
/// reads back as written, doubles to the bit, and the text parses to the same tree as
/// Foundation's own serialisation of the object.
struct JSONOutputTests {
    static var object: [String: Any] { [
        "text": "quote \" backslash \\ newline \n tab \t bell \u{07} slash / ünïcödé ∑ 𝛾",
        "doubles": [0.1, 1e-300, -0.0, 1.0, 123_456_789.125, 5e-324, 1.7976931348623157e308, -2.5e-7],
        "integers": [0, -1, Int.max, Int.min],
        "seed": UInt64.max,
        "flags": [true, false],
        "nothing": NSNull(),
        "nested": ["b": ["c": [[String: Any]]()], "a": [Any]()] as [String: Any],
        "empty": [String: Any](),
    ] }

    static func parse(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }

    @Test func readsBackAsWritten() throws {
        let tree = try #require(try Self.parse(JSONOutput.data(Self.object)) as? [String: Any])
        #expect(tree["text"] as? String == Self.object["text"] as? String)
        let doubles = try #require(tree["doubles"] as? [NSNumber]).map(\.doubleValue)
        #expect(doubles.map(\.bitPattern) == (Self.object["doubles"] as! [Double]).map(\.bitPattern))
        #expect((tree["integers"] as? [NSNumber])?.map(\.intValue) == [0, -1, Int.max, Int.min])
        #expect((tree["seed"] as? NSNumber)?.uint64Value == UInt64.max)
        #expect((tree["flags"] as? [Bool]) == [true, false])
        #expect(tree["nothing"] is NSNull)
        #expect(((tree["nested"] as? [String: Any])?["b"] as? [String: Any])?["c"] as? [Any] != nil)
        #expect((tree["empty"] as? [String: Any])?.isEmpty == true)
    }

    @Test func sameTreeAsFoundation() throws {
        let ours = try Self.parse(JSONOutput.data(Self.object)) as! NSDictionary
        let theirs = try Self.parse(JSONSerialization.data(withJSONObject: Self.object, options: [.sortedKeys])) as! NSDictionary
        #expect(ours.isEqual(theirs))
    }

    @Test func keysSortedAndNonFiniteAsNull() throws {
        let text = String(decoding: try JSONOutput.data(["b": Double.nan, "a": -Double.infinity, "c": [Double.infinity]]), as: UTF8.self)
        #expect(text == "{\n  \"a\" : null,\n  \"b\" : null,\n  \"c\" : [\n    null\n  ]\n}")
    }

    @Test func unsupportedValueThrows() {
        #expect(throws: JSONOutput.UnsupportedValue.self) { try JSONOutput.data(["when": Date()]) }
    }
}
