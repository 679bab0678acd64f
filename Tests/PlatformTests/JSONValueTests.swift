import Foundation
@testable import Platform
import Testing

/// The JSON value and its two writers against Foundation (an independent implementation):
/// pretty text reads back as written, doubles to the bit; canonical text is byte for byte what
/// `JSONSerialization` writes (run keys hash it, so keys computed before `JSONValue` existed must
/// not move); parsing gives back the value.
struct JSONValueTests {
    static let value: JSONValue = [
        "text": "quote \" backslash \\ newline \n tab \t bell \u{07} back \u{8} feed \u{c} slash / ünïcödé ∑ 𝛾",
        "doubles": [0.1, 1e-300, -0.0, 1.0, 100.0, 1e15, 1e16, 123_456_789.125, 5e-324, 1.7976931348623157e308, -2.5e-7, 1e-5],
        "integers": [0, -1, .int(Int.max), .int(Int.min)],
        "seed": .unsigned(UInt64.max),
        "flags": [true, false],
        "nothing": nil,
        "nested": ["b": ["c": []], "a": [:]],
        "empty": [:],
    ]

    /// The same tree as Foundation's values.
    static func foundation(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let b): b
        case .int(let i): i
        case .unsigned(let u): u
        case .number(let x): x
        case .string(let s): s
        case .array(let a): a.map(foundation)
        case .object(let o): o.mapValues(foundation)
        }
    }

    static func parse(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }

    @Test func prettyTextReadsBackAsWritten() throws {
        let tree = try #require(try Self.parse(Self.value.prettyText) as? [String: Any])
        #expect(tree["text"] as? String == Self.value["text"]?.string)
        let doubles = try #require(tree["doubles"] as? [NSNumber]).map(\.doubleValue)
        #expect(doubles.map(\.bitPattern) == Self.value["doubles"]!.array!.map { $0.number!.bitPattern })
        #expect((tree["integers"] as? [NSNumber])?.map(\.intValue) == [0, -1, Int.max, Int.min])
        #expect((tree["seed"] as? NSNumber)?.uint64Value == UInt64.max)
        #expect((tree["flags"] as? [Bool]) == [true, false])
        #expect(tree["nothing"] is NSNull)
        #expect((tree["empty"] as? [String: Any])?.isEmpty == true)
        let theirs = try Self.parse(String(decoding: try JSONSerialization.data(withJSONObject: Self.foundation(Self.value), options: [.sortedKeys]), as: UTF8.self))
        #expect((tree as NSDictionary).isEqual(theirs))
    }

    @Test func prettyLayoutSortsKeysAndWritesNonFiniteAsNull() {
        let value: JSONValue = ["b": .number(.nan), "a": .number(-.infinity), "c": [.number(.infinity)]]
        #expect(value.prettyText == "{\n  \"a\" : null,\n  \"b\" : null,\n  \"c\" : [\n    null\n  ]\n}")
        #expect(JSONValue.object([:]).prettyText == "{\n\n}")
    }

    @Test func canonicalTextIsFoundations() throws {
        func foundationText(_ value: JSONValue) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: Self.foundation(value), options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        }
        #expect(Self.value.canonicalText == (try foundationText(Self.value)))
        // Doubles across the whole exponent range, drawn from a fixed stream.
        // A fixed linear congruential stream keeps the draw reproducible.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Double(bitPattern: state >> 1)   // finite positive doubles of every exponent
            guard x.isFinite else { continue }
            for v in [x, -x, x.rounded()] where v.isFinite {
                let value: JSONValue = ["v": .number(v)]
                #expect(value.canonicalText == (try foundationText(value)), "\(v)")
            }
        }
    }

    @Test func parseGivesBackTheValue() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true], "b": ["c": .unsigned(UInt64.max), "d": -3, "e": 1e-300]]
        #expect(JSONValue.parse(value.prettyText) == value)
        #expect(JSONValue.parse(value.canonicalText) == value)
        #expect(JSONValue.parse("{\"a\": ") == nil)
        #expect(JSONValue.parse("[1, 2]")?.array?.count == 2)
    }

    @Test func literalsAndConversionsBuildTheSameValue() {
        let optional: Double? = nil
        let built: JSONValue = ["n": 3.json, "x": 0.5.json, "s": "t".json, "o": optional.json, "l": [1, 2].json, "d": ["k": "v"].json]
        #expect(built == ["n": 3, "x": 0.5, "s": "t", "o": nil, "l": [1, 2], "d": ["k": "v"]])
        #expect(JSONValue.spelledOut(.infinity) == "inf" && JSONValue.spelledOut(-.infinity) == "-inf" && JSONValue.spelledOut(.nan) == "nan")
        #expect(JSONValue.number(0.5).description == "0.5" && JSONValue.string("a b").description == "a b")
    }
}
