//===--- Environment.swift ------------------------------------------------===//

import NumericsCore

/// What an expression is evaluated against: values of identifiers (each with an absolute
/// error estimate) and named definitions.
///
/// Values take precedence over definitions, so a measured or overridden value replaces a
/// defined quantity of the same name. A typical environment holds the configuration values
/// of docs/theory.md §1, the constants (`C`, `C1`, …), measured values, and the definitions of
/// ``Theory`` (see ``Environment/theory(configuration:constants:task:)``).
public struct Environment: Sendable {
    /// Identifier → value with absolute error estimate (0 for exact inputs).
    public var values: [String: EstimatedValue]
    /// Named definitions consulted for identifiers that have no value.
    public var definitions: DefinitionSet

    /// An environment of exact values.
    public init(_ values: [String: Double] = [:], definitions: DefinitionSet = DefinitionSet()) {
        self.values = values.mapValues { EstimatedValue($0, error: 0) }
        self.definitions = definitions
    }

    /// An environment of values with error estimates.
    public init(estimates: [String: EstimatedValue], definitions: DefinitionSet = DefinitionSet()) {
        self.values = estimates
        self.definitions = definitions
    }

    /// This environment with `name` set to `value ± error`.
    public func setting(_ name: String, _ value: Double, error: Double = 0) -> Environment {
        var copy = self
        copy.values[name] = EstimatedValue(value, error: error)
        return copy
    }

    /// This environment with every value of `values` set (exact).
    public func setting(_ values: [String: Double]) -> Environment {
        var copy = self
        for (k, v) in values { copy.values[k] = EstimatedValue(v, error: 0) }
        return copy
    }

    /// True when `name` has a value or a definition.
    public func knows(_ name: String) -> Bool { values[name] != nil || definitions.defines(name) }
}
