//===--- IdentifierCatalog.swift ------------------------------------------===//
//
// The one registry of identifiers the bounds language may use in `proofs/`: configuration
// ids (docs/theory.md §1), quantities (§6), per-task aliases, constants, conditions, and the
// *measured* identifiers that probes supply. The validation layer extends it with
// `IdentifierCatalog.adding(measured:)`.
//
//===----------------------------------------------------------------------===//

import Vocabulary

/// What kind of thing an identifier names.
package enum IdentifierKind: String, Sendable, CaseIterable {
    /// A configuration value of docs/theory.md §1.
    case configuration
    /// A quantity of docs/theory.md §6 (defined in ``Theory``).
    case quantity
    /// A per-task alias (`n`, `sigma_p`, `mu_norm`, `T_star`), bound for task 1 or 2.
    case alias
    /// An unknown absolute constant, calibrated by the validation layer.
    case constant
    /// A condition of docs/theory.md §6, usable as a hypothesis in `proofs/`.
    case condition
    /// A value measured on a run by a probe.
    case measured
}

/// One identifier with its meaning and units.
package struct IdentifierInfo: Sendable, Equatable {
    public var name: String
    public var kind: IdentifierKind
    public var meaning: String
    public var units: String

    public init(_ name: String, _ kind: IdentifierKind, _ meaning: String, units: String) {
        self.name = name
        self.kind = kind
        self.meaning = meaning
        self.units = units
    }
}

/// The identifiers known to the `proofs/` loader.
public struct IdentifierCatalog: Sendable {
    /// Name → description.
    package private(set) var entries: [String: IdentifierInfo]

    package init(_ entries: [IdentifierInfo]) {
        self.entries = Dictionary(entries.map { ($0.name, $0) }) { first, _ in first }
    }

    /// The description of `name`, if known.
    package subscript(name: String) -> IdentifierInfo? { entries[name] }

    /// True when `name` is known.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// Names of one kind, sorted.
    package func names(of kind: IdentifierKind) -> [String] {
        entries.values.filter { $0.kind == kind }.map(\.name).sorted()
    }

    /// This catalog with more identifiers (a later entry replaces an earlier one of the same name).
    package func adding(_ more: [IdentifierInfo]) -> IdentifierCatalog {
        var copy = self
        for e in more { copy.entries[e.name] = e }
        return copy
    }

    /// This catalog with more measured identifiers.
    public func adding(measured: [(name: String, meaning: String, units: String)]) -> IdentifierCatalog {
        adding(measured.map { IdentifierInfo($0.name, .measured, $0.meaning, units: $0.units) })
    }

    // MARK: The standard catalog

    /// Configuration ids of docs/theory.md §1 (the numbers of the theory, from `ConfigKey`).
    package static let configuration: [IdentifierInfo] = ConfigKey.allCases.filter(\.isTheoryValue).map {
        IdentifierInfo($0.rawValue, .configuration, $0.meaning, units: $0.unit)
    }

    /// The per-task aliases of the theory in force (see ``Theory``).
    package static var aliases: [IdentifierInfo] { aliases(of: Theory.current) }

    static func aliases(of theory: Theory) -> [IdentifierInfo] {
        theory.aliases.map {
            IdentifierInfo($0.alias, .alias, "the task's own value: \($0.task1) for task 1, \($0.task2) for task 2", units: "as \($0.task1)")
        }
    }

    /// Constants with their documented defaults (`TheoryConstant`). docs/theory.md never knows
    /// their values: the validation layer calibrates them; the defaults only make a
    /// configuration evaluable.
    public static let constantDefaults: [String: Double] = TheoryConstant.defaults

    /// The constants.
    package static let constants: [IdentifierInfo] = TheoryConstant.allCases.map {
        IdentifierInfo($0.rawValue, .constant, $0.meaning, units: $0.unit)
    }

    /// Values a probe measures on a run. Per-element identifiers (`noise_norm_sq`, …) are
    /// evaluated once per element (sample, pair, filter) so the probe can compare the
    /// violation frequency with δ; extremes (`…_min`, `…_max`) are over every filter,
    /// sample and recorded step of the task's run.
    package static let measured: [IdentifierInfo] = MeasuredQuantity.allCases.map {
        IdentifierInfo($0.id, .measured, $0.meaning, units: $0.unit)
    }

    /// Quantities (instances and templates) and conditions of the theory in force.
    package static var theory: [IdentifierInfo] { theory(of: Theory.current) }

    static func theory(of theory: Theory) -> [IdentifierInfo] {
        var list = (theory.templates + theory.quantities).map {
            IdentifierInfo($0.id, .quantity, $0.title, units: $0.units)
        }
        for c in theory.conditions {
            list.append(IdentifierInfo(c.id, .condition, c.title + " (for the task being judged)", units: "relation"))
            for k in 1...2 {
                list.append(IdentifierInfo("\(c.id)_\(k)", .condition, c.title + " for task \(k)", units: "relation"))
            }
        }
        return list
    }

    /// Everything above, for the theory in force (built once per theory).
    public static var standard: IdentifierCatalog { Theory.current.catalog }

    /// Everything above for `theory`.
    static func standard(for theory: Theory) -> IdentifierCatalog {
        IdentifierCatalog(configuration + aliases(of: theory) + constants + self.theory(of: theory) + measured)
    }
}
