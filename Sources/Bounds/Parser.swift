//===--- Parser.swift -----------------------------------------------------===//
import Platform
import Vocabulary

/// Recursive-descent parser of the bounds language.
///
/// Grammar (lowest precedence first; `^` is right-associative and binds tighter than unary
/// minus, so `-x^2` is −(x²) and `2^-1` is 2^(−1)):
///
/// ```
/// definitions := (identifier '=' expression)*
/// relation    := expression ('<=' | '>=' | '<' | '>') expression
/// expression  := term (('+' | '-') term)*
/// term        := unary (('*' | '/') unary)*
/// unary       := '-' unary | power
/// power       := primary ('^' unary)?
/// primary     := number | identifier | function '(' expression (',' expression)* ')' | '(' expression ')'
/// ```
struct Parser {
    private var tokens: [Token]
    private var index = 0
    /// Open parentheses, calls, unary minus and powers around the current position.
    private var depth = 0

    /// Limits that keep every recursive walk of a formula (parsing, evaluation, printing) far
    /// from the stack's end: nesting depth and tokens per text. The statements of the theory
    /// use a few dozen tokens.
    static let maximumDepth = 100
    static let maximumTokens = 2_000

    init(_ text: String) throws(ParseError) {
        tokens = try Lexer.tokenize(text)
        if tokens.count > Parser.maximumTokens {
            let t = tokens[Parser.maximumTokens]
            throw ParseError(line: t.line, column: t.column, "expression too long: more than \(Parser.maximumTokens) tokens")
        }
    }

    /// Run `body` one nesting level deeper, refusing past ``maximumDepth``.
    private mutating func nested<T>(_ body: (inout Parser) throws(ParseError) -> T) throws(ParseError) -> T {
        guard depth < Parser.maximumDepth else {
            throw error("nesting deeper than \(Parser.maximumDepth) levels (parentheses, calls, unary minus, powers)")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private var current: Token { tokens[index] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func error(_ message: String, at token: Token? = nil) -> ParseError {
        let t = token ?? current
        return ParseError(line: t.line, column: t.column, message)
    }

    private func describe(_ token: Token) -> String {
        token.kind == .end ? "the end of the input" : "'\(InputText.excerpt(token.text))'"
    }

    private func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }

    private mutating func expect(_ s: String, _ context: String) throws(ParseError) {
        guard isSymbol(s) else { throw error("expected '\(s)' \(context), found \(describe(current))") }
        advance()
    }

    mutating func expectEnd(_ what: String) throws(ParseError) {
        guard current.kind == .end else {
            throw error("unexpected \(describe(current)) after the end of the \(what)")
        }
    }

    // MARK: Entry points

    mutating func parseExpressionOnly() throws(ParseError) -> Formula {
        let e = try parseExpression()
        if case .symbol(let s) = current.kind, ["<=", ">=", "<", ">"].contains(s) {
            throw error("a comparison '\(s)' is not allowed here: expected a single expression")
        }
        try expectEnd("expression")
        return e
    }

    mutating func parseRelationOnly() throws(ParseError) -> Relation {
        let r = try parseRelation()
        try expectEnd("comparison")
        return r
    }

    mutating func parseRelation() throws(ParseError) -> Relation {
        let lhs = try parseExpression()
        guard case .symbol(let s) = current.kind, let op = RelationOperator(rawValue: s) else {
            throw error("expected a comparison ('<=', '>=', '<' or '>'), found \(describe(current))")
        }
        advance()
        let rhs = try parseExpression()
        if case .symbol(let s2) = current.kind, RelationOperator(rawValue: s2) != nil {
            throw error("chained comparisons are not allowed: write two separate comparisons")
        }
        return Relation(lhs, op, rhs)
    }

    mutating func parseDefinitions() throws(ParseError) -> [(name: String, expression: Formula, line: Int, column: Int)] {
        var result: [(name: String, expression: Formula, line: Int, column: Int)] = []
        while current.kind != .end {
            let nameToken = current
            guard case .identifier(let name) = current.kind else {
                throw error("expected a definition 'name = expression', found \(describe(current))")
            }
            if BoundsFunction(rawValue: name) != nil {
                throw error("'\(InputText.excerpt(name))' is a built-in function and cannot be redefined")
            }
            advance()
            try expect("=", "after the defined name '\(name)'")
            let e = try parseExpression()
            result.append((name, e, nameToken.line, nameToken.column))
        }
        return result
    }

    // MARK: Precedence levels

    mutating func parseExpression() throws(ParseError) -> Formula {
        var lhs = try parseTerm()
        while true {
            if isSymbol("+") { advance(); lhs = .binary(.add, lhs, try parseTerm()) }
            else if isSymbol("-") { advance(); lhs = .binary(.subtract, lhs, try parseTerm()) }
            else { return lhs }
        }
    }

    private mutating func parseTerm() throws(ParseError) -> Formula {
        var lhs = try parseUnary()
        while true {
            if isSymbol("*") { advance(); lhs = .binary(.multiply, lhs, try parseUnary()) }
            else if isSymbol("/") { advance(); lhs = .binary(.divide, lhs, try parseUnary()) }
            else { return lhs }
        }
    }

    private mutating func parseUnary() throws(ParseError) -> Formula {
        if isSymbol("-") {
            advance()
            return .negate(try nested { (p: inout Parser) throws(ParseError) in try p.parseUnary() })
        }
        if isSymbol("+") {
            throw error("unary '+' is not part of the language")
        }
        return try parsePower()
    }

    private mutating func parsePower() throws(ParseError) -> Formula {
        let base = try parsePrimary()
        if isSymbol("^") {
            advance()
            return .binary(.power, base, try nested { (p: inout Parser) throws(ParseError) in try p.parseUnary() })
        }
        return base
    }

    private mutating func parsePrimary() throws(ParseError) -> Formula {
        let token = current
        switch token.kind {
        case .number(let x):
            advance()
            return .number(x)
        case .identifier(let name):
            advance()
            if let function = BoundsFunction(rawValue: name) {
                guard isSymbol("(") else {
                    throw error("function '\(InputText.excerpt(name))' must be called with parentheses, e.g. \(InputText.excerpt(name))(x)", at: current)
                }
                advance()
                var args: [Formula] = [try nested { (p: inout Parser) throws(ParseError) in try p.parseExpression() }]
                while isSymbol(",") {
                    advance()
                    args.append(try nested { (p: inout Parser) throws(ParseError) in try p.parseExpression() })
                }
                let close = current
                try expect(")", "to close the arguments of '\(name)'")
                guard function.arity.contains(args.count) else {
                    let wanted = function.arity.count == 1 ? "\(function.arity.lowerBound) argument"
                        : "at least \(function.arity.lowerBound) arguments"
                    throw error("'\(InputText.excerpt(name))' takes \(wanted), got \(args.count)", at: close)
                }
                return .call(function, args)
            }
            if isSymbol("(") {
                throw error("unknown function '\(InputText.excerpt(name))' (known: \(BoundsFunction.allCases.map(\.rawValue).joined(separator: ", ")))", at: token)
            }
            return .variable(name)
        case .symbol("("):
            advance()
            let e = try nested { (p: inout Parser) throws(ParseError) in try p.parseExpression() }
            try expect(")", "to close the parenthesis")
            return e
        default:
            throw error("expected a number, an identifier or '(', found \(describe(token))")
        }
    }
}

extension Formula {
    /// Parse one expression (no comparison). Errors carry line and column.
    public init(parsing text: String) throws(ParseError) {
        var parser = try Parser(text)
        self = try parser.parseExpressionOnly()
    }
}

extension Relation {
    /// Parse one comparison `lhs op rhs`. Errors carry line and column.
    public init(parsing text: String) throws(ParseError) {
        var parser = try Parser(text)
        self = try parser.parseRelationOnly()
    }
}
