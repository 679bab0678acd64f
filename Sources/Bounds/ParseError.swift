//===--- ParseError.swift -------------------------------------------------===//

/// A syntax error in bounds-language text, located by 1-based line and column.
///
/// The description has the form `line:column: message`, so a caller that knows the file
/// (the `proofs/` loader) can prefix the path and offset the position.

public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line of the offending character.
    public var line: Int
    /// 1-based column of the offending character.
    public var column: Int
    /// What was expected or what went wrong.
    public var message: String

    public init(line: Int, column: Int, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }
}
