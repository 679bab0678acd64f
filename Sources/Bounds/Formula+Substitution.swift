//===--- Formula+Substitution.swift ------------------------------------===//

extension Formula {
    /// Replace identifiers: `replacement(name)` returns the expression to put in place of
    /// `name`, or `nil` to keep it. Replacements are not substituted again.
    func substituting(_ replacement: (String) -> Formula?) -> Formula {
        switch self {
        case .number: self
        case .variable(let name): replacement(name) ?? self
        case .negate(let e): .negate(e.substituting(replacement))
        case .binary(let op, let a, let b): .binary(op, a.substituting(replacement), b.substituting(replacement))
        case .call(let f, let args): .call(f, args.map { $0.substituting(replacement) })
        }
    }

    /// Replace the identifiers named in `bindings` (simultaneously).
    ///
    /// ```
    /// (x*y).substituting(["x": y, "y": 2])  ==  y*2
    /// ```
    func substituting(_ bindings: [String: Formula]) -> Formula {
        substituting { bindings[$0] }
    }

    /// Replace identifiers by numbers.
    func substituting(values: [String: Double]) -> Formula {
        substituting { values[$0].map(Formula.number) }
    }
}

extension Relation {
    /// Replace identifiers on both sides.
    func substituting(_ bindings: [String: Formula]) -> Relation {
        Relation(lhs.substituting(bindings), op, rhs.substituting(bindings))
    }
}
