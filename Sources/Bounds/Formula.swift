//===--- Formula.swift -------------------------------------------------===//
//
// The abstract syntax of the bounds language (docs/theory.md §6–§7).
//
//===----------------------------------------------------------------------===//

/// An arithmetic expression of the bounds language.
///
/// The language has non-negative number literals, identifiers (the ids of docs/theory.md §1 and
/// §6, constants such as `C1`, and measured quantities), the binary operators `+ - * / ^`,
/// unary minus and calls of the functions in ``BoundsFunction``. Relations between two
/// expressions are ``Relation`` values.
///
/// Expressions are plain values: `Equatable` compares structure (so `x*y` and `y*x` differ
/// until `simplified()` brings both to the canonical form), `Hashable` and `Sendable`.
public indirect enum Formula: Hashable, Sendable {
    /// A number literal. The parser only produces finite, non-negative literals; constant
    /// folding may produce negative ones.
    case number(Double)
    /// An identifier: a configuration value, a defined quantity, a constant or a measured value.
    case variable(String)
    /// Unary minus, −e.
    case negate(Formula)
    /// A binary operation.
    case binary(BinaryOperator, Formula, Formula)
    /// A call of a built-in function.
    case call(BoundsFunction, [Formula])
}

/// The binary operators of the bounds language.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case power = "^"
}

/// The comparison operators. Equality is deliberately absent: two floating-point values are
/// never compared for equality by a bound.
package enum RelationOperator: String, Hashable, Sendable, CaseIterable {
    case lessEqual = "<="
    case greaterEqual = ">="
    case less = "<"
    case greater = ">"

    /// True for `<` and `>`.
    public var isStrict: Bool { self == .less || self == .greater }

    /// True for `>=` and `>`: the left-hand side is claimed to be the larger one.
    public var claimsLeftLarger: Bool { self == .greaterEqual || self == .greater }

    /// The margin of "x op t": positive when it holds; and that margin relative to max(|x|, |t|).
    public func margins(_ x: Double, _ t: Double) -> (absolute: Double, relative: Double) {
        let margin = claimsLeftLarger ? x - t : t - x
        return (margin, margin / max(abs(x), abs(t), .leastNormalMagnitude))
    }

    /// The operator with its sides exchanged (`a <= b` ⇔ `b >= a`).
    public var flipped: RelationOperator {
        switch self {
        case .lessEqual: .greaterEqual
        case .greaterEqual: .lessEqual
        case .less: .greater
        case .greater: .less
        }
    }
}

/// A comparison `lhs op rhs` between two expressions: a condition, a hypothesis or a claim.
public struct Relation: Hashable, Sendable {
    public var lhs: Formula
    package var op: RelationOperator
    public var rhs: Formula

    package init(_ lhs: Formula, _ op: RelationOperator, _ rhs: Formula) {
        self.lhs = lhs
        self.op = op
        self.rhs = rhs
    }

    /// The same relation written as `larger >= smaller` (or `>` when strict).
    var asGreater: (larger: Formula, smaller: Formula, strict: Bool) {
        op.claimsLeftLarger ? (lhs, rhs, op.isStrict) : (rhs, lhs, op.isStrict)
    }

    /// Every identifier the relation mentions.
    public var identifiers: Set<String> { lhs.identifiers.union(rhs.identifiers) }
}

extension Formula {
    /// Every identifier the expression mentions (not following definitions).
    public var identifiers: Set<String> {
        var names = Set<String>()
        collectIdentifiers(into: &names)
        return names
    }

    private func collectIdentifiers(into names: inout Set<String>) {
        switch self {
        case .number: break
        case .variable(let name): names.insert(name)
        case .negate(let e): e.collectIdentifiers(into: &names)
        case .binary(_, let a, let b):
            a.collectIdentifiers(into: &names)
            b.collectIdentifiers(into: &names)
        case .call(_, let args): for a in args { a.collectIdentifiers(into: &names) }
        }
    }

    /// True when the expression contains no identifier.
    var isConstant: Bool { identifiers.isEmpty }

    /// The literal's value when the expression is a number (or the negation of one).
    var numericValue: Double? {
        switch self {
        case .number(let x): x
        case .negate(.number(let x)): -x
        default: nil
        }
    }

    /// Number of nodes; used to keep random test expressions and printed output small.
    var nodeCount: Int {
        switch self {
        case .number, .variable: 1
        case .negate(let e): 1 + e.nodeCount
        case .binary(_, let a, let b): 1 + a.nodeCount + b.nodeCount
        case .call(_, let args): 1 + args.reduce(0) { $0 + $1.nodeCount }
        }
    }
}

// Convenience builders used by the definitions of docs/theory.md §6 and by tests.
extension Formula {
    public static func + (a: Formula, b: Formula) -> Formula { .binary(.add, a, b) }
    public static func - (a: Formula, b: Formula) -> Formula { .binary(.subtract, a, b) }
    public static func * (a: Formula, b: Formula) -> Formula { .binary(.multiply, a, b) }
    public static func / (a: Formula, b: Formula) -> Formula { .binary(.divide, a, b) }
    public static prefix func - (a: Formula) -> Formula { .negate(a) }
    /// a ^ b.
    public func power(_ b: Formula) -> Formula { .binary(.power, self, b) }
}
