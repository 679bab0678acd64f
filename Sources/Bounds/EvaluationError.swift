//===--- EvaluationError.swift --------------------------------------------===//

import NumericsCore
import Platform
import Vocabulary

/// Why an expression could not be evaluated. Every case names the sub-expression at fault
/// (in the plain bounds language), so a report can say exactly what went wrong.
package enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An identifier has neither a value nor a definition.
    case unknownIdentifier(String)
    /// A function or operator was applied outside its domain (log of a non-positive number,
    /// lambertW0 below −1/e, division by zero, …).
    case domain(subexpression: String, reason: String)
    /// The result is not a finite Double (overflow).
    case overflow(subexpression: String)
    /// GSL reported a failure for this sub-expression.
    case gsl(subexpression: String, error: GSLError)
    /// Definitions refer to each other in a cycle.
    case cycle([String])

    public var description: String {
        switch self {
        case .unknownIdentifier(let name): "unknown identifier '\(name)'"
        case .domain(let s, let reason): "domain error in '\(s)': \(reason)"
        case .overflow(let s): "overflow in '\(s)': the result is not a finite number"
        case .gsl(let s, let e): "GSL failure in '\(s)': \(e)"
        case .cycle(let path): "definitions form a cycle: \(path.joined(separator: " -> "))"
        }
    }
}

extension EvaluationError: UserFacingError {
    public var message: String { description }
}
