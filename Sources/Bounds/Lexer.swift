//===--- Lexer.swift ------------------------------------------------------===//
import Platform
import Vocabulary

/// One token of bounds-language text with its source position.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case number(Double)
        case identifier(String)
        case symbol(String)      // + - * / ^ ( ) , = <= >= < >
        case end
    }
    var kind: Kind
    var line: Int
    var column: Int
    /// The source text of the token.
    var text: String
}

/// Splits text into tokens. Identifiers are `[A-Za-z_][A-Za-z0-9_]*`; numbers are decimal
/// literals with an optional exponent (`2`, `0.5`, `.5`, `1e-3`, `2.5E+4`); `#` starts a
/// comment that runs to the end of the line.
struct Lexer {
    static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        let chars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0, line = 1, column = 1

        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        func isIdentStart(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
        }

        while i < chars.count {
            let c = chars[i]
            if c == "\n" { i += 1; line += 1; column = 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; column += 1; continue }
            if c == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1; column += 1 }
                continue
            }
            let start = i, startColumn = column
            func take() -> String {
                String(String.UnicodeScalarView(chars[start..<i]))
            }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                while i < chars.count && isDigit(chars[i]) { i += 1 }
                if i < chars.count && chars[i] == "." {
                    i += 1
                    while i < chars.count && isDigit(chars[i]) { i += 1 }
                }
                if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                    var j = i + 1
                    if j < chars.count && (chars[j] == "+" || chars[j] == "-") { j += 1 }
                    if j < chars.count && isDigit(chars[j]) {
                        i = j
                        while i < chars.count && isDigit(chars[i]) { i += 1 }
                    } else {
                        throw ParseError(line: line, column: column + (j - start),
                                         "malformed number: expected digits in the exponent")
                    }
                }
                let text = take()
                column += i - start
                guard let value = Double(text), value.isFinite else {
                    throw ParseError(line: line, column: startColumn, "number '\(InputText.excerpt(text))' is out of range")
                }
                if i < chars.count && isIdentStart(chars[i]) {
                    throw ParseError(line: line, column: column,
                                     "unexpected '\(Character(chars[i]))' after number '\(text)' (write '*' for products)")
                }
                tokens.append(Token(kind: .number(value), line: line, column: startColumn, text: text))
                continue
            }
            if isIdentStart(c) {
                while i < chars.count && (isIdentStart(chars[i]) || isDigit(chars[i])) { i += 1 }
                let text = take()
                column += i - start
                tokens.append(Token(kind: .identifier(text), line: line, column: startColumn, text: text))
                continue
            }
            if (c == "<" || c == ">") && i + 1 < chars.count && chars[i + 1] == "=" {
                i += 2; column += 2
                let text = take()
                tokens.append(Token(kind: .symbol(text), line: line, column: startColumn, text: text))
                continue
            }
            if "+-*/^(),=<>".unicodeScalars.contains(c) {
                i += 1; column += 1
                let text = take()
                tokens.append(Token(kind: .symbol(text), line: line, column: startColumn, text: text))
                continue
            }
            throw ParseError(line: line, column: column, "unexpected character '\(Character(c))'")
        }
        tokens.append(Token(kind: .end, line: line, column: column, text: ""))
        return tokens
    }
}
