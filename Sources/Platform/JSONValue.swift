import Foundation

/// A JSON value: what every result file (manifests, metrics, summaries, reports' `summary.json`)
/// and the run store's config echo are built from, so that no untyped dictionary reaches a writer.
///
/// Integers keep their own cases (a seed is a `UInt64`, and `401` must not be written `401.0`);
/// `number` is a `Double`, written as its shortest representation that reads back to the same
/// value, and `null` when it is not finite (JSON has no NaN). Build values with literals
/// (`["seed": 3, "name": "x"]`) and `.json` on anything ``JSONRepresentable``
/// (`["mean": d.mean.json]`).
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object (nil for anything else).
    package var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    /// The elements of an array (nil for anything else).
    package var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The text of a string (nil for anything else).
    package var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The flag of a boolean (nil for anything else).
    package var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The value of any number as a Double (nil for anything else).
    package var number: Double? {
        switch self {
        case .int(let x): Double(x)
        case .unsigned(let x): Double(x)
        case .number(let x): x
        default: nil
        }
    }
    /// The member `key` of an object (nil when absent or not an object).
    package subscript(key: String) -> JSONValue? { object?[key] }
}

/// A value with a JSON form.
package protocol JSONRepresentable {
    var json: JSONValue { get }
}

extension JSONValue: JSONRepresentable { package var json: JSONValue { self } }
extension Bool: JSONRepresentable { package var json: JSONValue { .bool(self) } }
extension Int: JSONRepresentable { package var json: JSONValue { .int(self) } }
extension UInt64: JSONRepresentable { package var json: JSONValue { .unsigned(self) } }
extension Double: JSONRepresentable { package var json: JSONValue { .number(self) } }
extension String: JSONRepresentable { package var json: JSONValue { .string(self) } }
extension Substring: JSONRepresentable { package var json: JSONValue { .string(String(self)) } }
extension Array: JSONRepresentable where Element: JSONRepresentable { package var json: JSONValue { .array(map(\.json)) } }
extension Optional: JSONRepresentable where Wrapped: JSONRepresentable { package var json: JSONValue { self?.json ?? .null } }
extension Dictionary: JSONRepresentable where Key == String, Value: JSONRepresentable {
    package var json: JSONValue { .object(mapValues(\.json)) }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringInterpolation, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    package init(nilLiteral: ()) { self = .null }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .number(value) }
    package init(stringLiteral value: String) { self = .string(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements) { _, last in last })
    }
}

// MARK: - Reading

extension JSONValue: Decodable {
    /// Integers that fit read as `int` (or `unsigned`), other numbers as `number`.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let i = try? container.decode(Int.self) { self = .int(i); return }
        if let u = try? container.decode(UInt64.self) { self = .unsigned(u); return }
        if let x = try? container.decode(Double.self) { self = .number(x); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// The value of JSON text; nil when it is not JSON.
    package static func parse(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value of JSON text; nil when it is not JSON.
    package static func parse(_ text: String) -> JSONValue? { parse(Data(text.utf8)) }
}

extension JSONValue: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .unsigned(let u): try container.encode(u)
        case .number(let x): if x.isFinite { try container.encode(x) } else { try container.encodeNil() }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    /// The JSON form of any `Encodable` value (through `JSONEncoder`), for records that are
    /// already Codable structs.
    package static func encoding<T: Encodable>(_ value: T, with encoder: JSONEncoder = JSONEncoder()) throws -> JSONValue {
        let data = try encoder.encode(value)
        guard let parsed = parse(data) else { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not JSON")) }
        return parsed
    }
}

// MARK: - Writing

extension JSONValue {
    /// Pretty JSON: sorted keys, two-space indent, `"key" : value`, an empty object or array
    /// written as `{`, blank line, `}`. Doubles as their shortest round-trip text (`0.1`, `1.0`,
    /// `1e-05`), non-finite ones as `null`.
    package var prettyText: String {
        var text = ""
        appendPretty(to: &text, indent: "")
        return text
    }

    private func appendPretty(to text: inout String, indent: String) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { text += "{\n\n\(indent)}"; return }
            let inner = indent + "  "
            text += "{\n"
            for (n, key) in members.keys.sorted().enumerated() {
                text += inner
                Self.appendString(key, to: &text, namedEscapes: "\n\r\t")
                text += " : "
                members[key]!.appendPretty(to: &text, indent: inner)
                text += n + 1 < members.count ? ",\n" : "\n"
            }
            text += indent + "}"
        case .array(let elements):
            guard !elements.isEmpty else { text += "[\n\n\(indent)]"; return }
            let inner = indent + "  "
            text += "[\n"
            for (n, element) in elements.enumerated() {
                text += inner
                element.appendPretty(to: &text, indent: inner)
                text += n + 1 < elements.count ? ",\n" : "\n"
            }
            text += indent + "]"
        case .string(let s): Self.appendString(s, to: &text, namedEscapes: "\n\r\t")
        case .number(let x): text += x.isFinite ? "\(x)" : "null"
        default: appendScalar(to: &text)
        }
    }

    /// Compact canonical JSON, the text run keys hash: sorted keys, no whitespace, `/` unescaped,
    /// and numbers as Foundation's `JSONSerialization` writes them (an integral Double without
    /// its `.0`, exponents as `e+20`), so that keys computed before this type existed still match.
    package var canonicalText: String {
        var text = ""
        appendCanonical(to: &text)
        return text
    }

    private func appendCanonical(to text: inout String) {
        switch self {
        case .object(let members):
            text += "{"
            for (n, key) in members.keys.sorted().enumerated() {
                if n > 0 { text += "," }
                Self.appendString(key, to: &text, namedEscapes: "\n\r\t\u{8}\u{c}")
                text += ":"
                members[key]!.appendCanonical(to: &text)
            }
            text += "}"
        case .array(let elements):
            text += "["
            for (n, element) in elements.enumerated() {
                if n > 0 { text += "," }
                element.appendCanonical(to: &text)
            }
            text += "]"
        case .string(let s): Self.appendString(s, to: &text, namedEscapes: "\n\r\t\u{8}\u{c}")
        case .number(let x):
            guard x.isFinite else { text += "null"; return }
            let written = "\(x)"
            text += written.hasSuffix(".0") ? String(written.dropLast(2)) : written
        default: appendScalar(to: &text)
        }
    }

    private func appendScalar(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let b): text += b ? "true" : "false"
        case .int(let i): text += "\(i)"
        case .unsigned(let u): text += "\(u)"
        default: preconditionFailure("not a scalar")
        }
    }

    /// A JSON string literal: quotes and backslashes escaped, the control characters of
    /// `namedEscapes` by their short names (`\n`, `\b`, …), other control characters as `\u00XX`,
    /// everything else as is.
    private static func appendString(_ string: String, to text: inout String, namedEscapes: String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20:
                if namedEscapes.unicodeScalars.contains(scalar) {
                    switch scalar {
                    case "\n": text += "\\n"
                    case "\r": text += "\\r"
                    case "\t": text += "\\t"
                    case "\u{8}": text += "\\b"
                    default: text += "\\f"
                    }
                } else {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

extension JSONValue {
    /// Whether the two values write as the same JSON text: numbers compared directly (a number
    /// writes as its shortest decimal, so equal values of equal sign write alike), objects and
    /// arrays through their canonical text, anything else by equality.
    package func writesLike(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.number(x), .number(y)): x == y && x.sign == y.sign
        case (.object, _), (.array, _): canonicalText == other.canonicalText
        default: self == other
        }
    }
}

extension [String: JSONValue] {
    /// The members that write differently from the member of the same name in `defaults` (a
    /// member `defaults` lacks counts as null): a run's identity, so that a key added later at its
    /// default leaves every earlier identity as it was.
    package func changed(from defaults: [String: JSONValue]) -> [String: JSONValue] {
        filter { key, value in !value.writesLike(defaults[key] ?? .null) }
    }
}

extension JSONValue: CustomStringConvertible {
    /// A string's text as is, a number as Swift writes it (`0.5`, `401`), anything else as its
    /// canonical JSON.
    package var description: String {
        switch self {
        case .string(let s): s
        case .number(let x): "\(x)"
        case .int(let i): "\(i)"
        case .unsigned(let u): "\(u)"
        default: canonicalText
        }
    }

    /// `x` as a number when finite, else as the text "nan", "inf" or "-inf" (for summaries that
    /// must tell the three apart, where `null` would not).
    package static func spelledOut(_ x: Double) -> JSONValue {
        x.isFinite ? .number(x) : .string(x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
    }
}
