//===--- Theory.swift -----------------------------------------------------===//
import Foundation
import Platform
import Vocabulary
import Yams

/// The quantities, conditions and regime relations of docs/theory.md §6, read from a theory
/// file (`theory.yaml` in a proofs folder) rather than written in Swift, so a user can edit
/// Γ or a condition and every command evaluates the new form.
///
/// Per-task quantities and the conditions are written with the per-task *aliases* (`n`,
/// `sigma_p`, `mu_norm`, `T_star`, `eta_k` in the shipped file) and instantiated by substitution:
/// `SNR_1` is the template `SNR` with the task-1 aliases. The same aliases let a statement of
/// `proofs/` speak of "the task's n" and be judged on either task.
///
/// Which theory is in force is ``current``: a task-local value, ``standard`` (the shipped file)
/// unless a command or test binds another with `Theory.$current.withValue(_:operation:)`.
public struct Theory: Sendable {
    /// Alias → (task 1 name, task 2 name).
    public let aliases: [(alias: String, task1: String, task2: String)]
    /// Per-task templates, before instantiation.
    package let templates: [TheoryQuantity]
    /// Every quantity reported by `ptv bounds`, in report order (templates instantiated).
    public let quantities: [TheoryQuantity]
    /// The conditions, in terms of the aliases.
    public let conditions: [TheoryCondition]
    /// Benign regime of Theorem 4.2 (Γ(α) ≥ C1), harmful regime (Γ(α) ≤ C3), negative transfer (Γ(α) < Γ(0)).
    public let benign: Relation
    public let harmful: Relation
    package let negativeTransfer: Relation
    /// Every quantity and template as one definition set.
    public let definitions: DefinitionSet
    /// Every identifier a statement may use under this theory (``IdentifierCatalog/standard``).
    public private(set) var catalog = IdentifierCatalog([])

    /// The ids the tool itself evaluates by name: a theory file must define them.
    package static let requiredQuantities = ["Gamma", "Gamma_scratch", "predicted_error", "d_star", "d_star_a", "d_star_c", "d_star_cprime"]

    /// The alias bindings of task 1 or 2.
    package func taskAliases(_ task: Int) -> [String: Formula] { Self.bindings(aliases, task: task) }

    /// `aliases` bound to task 1's or task 2's names.
    static func bindings(_ aliases: [(alias: String, task1: String, task2: String)], task: Int) -> [String: Formula] {
        Dictionary(uniqueKeysWithValues: aliases.map { ($0.alias, Formula.variable(task == 1 ? $0.task1 : $0.task2)) })
    }

    /// The definitions with each task's aliases bound (index 0: task 1), built once: the judge
    /// asks for them at every evaluation.
    private let taskDefinitions: [DefinitionSet]

    /// The definitions, plus the per-task aliases of `task` when given.
    public func definitions(forTask task: Int?) -> DefinitionSet {
        guard let task, task == 1 || task == 2 else { return definitions }
        return taskDefinitions[task - 1]
    }

    /// The quantity (or template) with this id.
    public func quantity(_ id: String) -> TheoryQuantity? {
        (quantities + templates).first { $0.id == id }
    }

    /// The condition with this id (without task suffix).
    public func condition(_ id: String) -> TheoryCondition? {
        conditions.first { $0.id == id }
    }

    /// The theory in force (see the type's documentation).
    @TaskLocal public static var current: Theory = standard

    /// The shipped theory: `theory.yaml` of the proofs folder bundled with this module.
    public static let standard: Theory = {
        let file = ProofLibrary.bundledDirectory.appendingPathComponent(fileName)
        do { return try load(file: file) } catch {
            preconditionFailure("the bundled theory file \(file.path) does not load:\n\(error)")
        }
    }()

    /// The theory file's name inside a proofs folder.
    public static let fileName = "theory.yaml"

    /// Read a theory file; every problem is reported with file:line:column.
    public static func load(file: URL, displayPath: String? = nil) throws(ProofLoadError) -> Theory {
        let path = displayPath ?? file.path
        let text: String
        do { text = try YAMLInput.text(of: file, field: "theory") } catch {
            throw ProofLoadError([ProofProblem(SourceLocation(file: path, line: 0, column: 0), "\(error)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Read a theory file's text; `file` names it in the problems.
    public static func parse(yaml text: String, file: String) throws(ProofLoadError) -> Theory {
        var reader = TheoryReader(file: file)
        guard let theory = reader.read(text), reader.problems.isEmpty else {
            throw ProofLoadError(reader.problems.isEmpty ? [ProofProblem(SourceLocation(file: file, line: 1), "not a theory file")] : reader.problems)
        }
        return theory
    }

    init(aliases: [(alias: String, task1: String, task2: String)], templates: [TheoryQuantity], quantities: [TheoryQuantity],
         conditions: [TheoryCondition], benign: Relation, harmful: Relation, negativeTransfer: Relation) throws(DefinitionError) {
        self.aliases = aliases
        self.templates = templates
        self.quantities = quantities
        self.conditions = conditions
        self.benign = benign
        self.harmful = harmful
        self.negativeTransfer = negativeTransfer
        let definitions = try DefinitionSet((templates + quantities).map { ($0.id, $0.formula) })
        self.definitions = definitions
        var bound: [DefinitionSet] = []
        for task in 1...2 {
            let bindings = Self.bindings(aliases, task: task).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            bound.append(try definitions.merging(try DefinitionSet(bindings)))
        }
        taskDefinitions = bound
        catalog = IdentifierCatalog.standard(for: self)
    }
}

/// Reads one theory file, collecting problems with their positions.
private struct TheoryReader: ProofFileReader {
    let file: String
    var problems: [ProofProblem] = []
    var sourceLines: [Substring] = []

    static let sections = ["aliases", "setting", "templates", "quantities", "conditions", "regimes"]

    mutating func read(_ text: String) -> Theory? {
        guard let (root, mapping) = rootMapping(text, expected: "a theory file is a mapping with the sections \(Self.sections.joined(separator: ", "))") else {
            return nil
        }
        var sections: [String: Node] = [:]
        for (key, value) in entries(mapping, of: root) {
            guard Self.sections.contains(key) else {
                problem(root, "unknown section '\(InputText.excerpt(key))' (allowed: \(Self.sections.joined(separator: ", ")))")
                continue
            }
            sections[key] = value
        }
        // Each section has one shape: aliases and regimes are mappings, the rest lists.
        for (name, node) in sections {
            let mappingSection = name == "aliases" || name == "regimes"
            if mappingSection ? node.mapping == nil : node.sequence == nil {
                problem(node, "the section '\(name)' is a \(mappingSection ? "mapping" : "list")")
            }
        }
        for name in Self.sections where sections[name] == nil { problem(root, "missing section '\(name)'") }

        var aliases: [(alias: String, task1: String, task2: String)] = []
        if let node = sections["aliases"], let mapping = node.mapping {
            for (alias, value) in entries(mapping, of: node) {
                guard let pair = value.sequence, pair.count == 2, let first = pair[0].string, let second = pair[1].string else {
                    problem(value, "an alias maps a name to [task 1 name, task 2 name]")
                    continue
                }
                aliases.append((alias, first, second))
            }
        }
        let aliasNames = Set(aliases.map(\.alias))

        var known = Set(IdentifierCatalog.configuration.map(\.name) + IdentifierCatalog.constants.map(\.name)).union(aliasNames)
        var quantities: [TheoryQuantity] = []
        // A quantity that fails is reported once: its id still counts as defined for what follows.
        func failed(_ node: Node, perTask: Bool = false) {
            guard let id = node.mapping?["id"]?.string else { return }
            known.insert(id)
            if perTask { known.formUnion(["\(id)_1", "\(id)_2"]) }
        }
        for node in sections["setting"]?.sequence.map(Array.init) ?? [] {
            if let q = quantity(node, known: known, earlier: quantities) { quantities.append(q); known.insert(q.id) } else { failed(node) }
        }
        var templates: [TheoryQuantity] = []
        for node in sections["templates"]?.sequence.map(Array.init) ?? [] {
            guard let t = quantity(node, known: known, earlier: quantities) else { failed(node, perTask: true); continue }
            templates.append(t)
            for k in 1...2 {
                var q = t
                q.id = "\(t.id)_\(k)"
                q.title = t.title.replacingOccurrences(of: "the task", with: "task \(k)")
                q.formula = t.formula.substituting(Theory.bindings(aliases, task: k))
                q.task = k
                quantities.append(q)
                known.insert(q.id)
            }
            known.insert(t.id)
        }
        for node in sections["quantities"]?.sequence.map(Array.init) ?? [] {
            if let q = quantity(node, known: known, earlier: quantities) { quantities.append(q); known.insert(q.id) } else { failed(node) }
        }
        let quantityIds = Set(quantities.map(\.id))
        for id in Theory.requiredQuantities where !quantityIds.contains(id) {
            problem(sections["quantities"], "the quantity '\(id)' is required (the tool evaluates it by name)")
        }
        // An alias renames, for each task, a configuration id or a quantity defined here.
        for alias in aliases {
            for target in [alias.task1, alias.task2] where !known.contains(target) || aliasNames.contains(target) {
                problem(sections["aliases"], "alias '\(InputText.excerpt(alias.alias))' names '\(InputText.excerpt(target))', which is neither a configuration id nor a quantity of this file")
            }
        }
        var conditions: [TheoryCondition] = []
        for node in sections["conditions"]?.sequence.map(Array.init) ?? [] {
            guard let fields = fields(node, allowed: ["id", "title", "relation", "provenance", "note", "section"]),
                  let id = string(fields["id"], "id", of: node), let title = string(fields["title"], "title", of: node),
                  let text = string(fields["relation"], "relation", of: node), let provenance = provenance(fields["provenance"], of: node),
                  let relation = relation(fields["relation"]!, text, known: known) else { continue }
            if !id.hasPrefix("cond_") { problem(fields["id"], "a condition's id starts with 'cond_'") }
            conditions.append(TheoryCondition(id: id, title: title, relation: relation, provenance: provenance,
                                              provenanceNote: fields["note"]?.string, section: fields["section"]?.string ?? "§6"))
        }
        var regimes: [String: Relation] = [:]
        if let node = sections["regimes"], let mapping = node.mapping {
            for (name, value) in entries(mapping, of: node) {
                guard ["benign", "harmful", "negative_transfer"].contains(name) else {
                    problem(value, "unknown regime '\(InputText.excerpt(name))' (allowed: benign, harmful, negative_transfer)")
                    continue
                }
                if let text = value.string { regimes[name] = relation(value, text, known: known) }
            }
        }
        guard problems.isEmpty, let benign = regimes["benign"], let harmful = regimes["harmful"],
              let negative = regimes["negative_transfer"] else {
            if problems.isEmpty { problem(sections["regimes"], "regimes needs benign, harmful and negative_transfer") }
            return nil
        }
        do {
            return try Theory(aliases: aliases, templates: templates, quantities: quantities, conditions: conditions,
                              benign: benign, harmful: harmful, negativeTransfer: negative)
        } catch {
            problem(sections["quantities"], "\(error)")
            return nil
        }
    }

    /// A mapping's entries with string keys, each given once (also under a tag); problems reported.
    mutating func entries(_ mapping: Node.Mapping, of node: Node) -> [(key: String, value: Node)] {
        var seen = Set<String>(), out: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else { problem(key, "keys must be strings"); continue }
            guard seen.insert(name).inserted else { problem(key, "'\(InputText.excerpt(name))' given twice"); continue }
            out.append((name, value))
        }
        return out
    }

    /// A mapping's fields by name, refusing names outside `allowed`.
    mutating func fields(_ node: Node, allowed: [String]) -> [String: Node]? {
        guard let mapping = node.mapping else { problem(node, "expected a mapping with \(allowed.joined(separator: ", "))"); return nil }
        var fields: [String: Node] = [:]
        for (name, value) in entries(mapping, of: node) {
            guard allowed.contains(name) else {
                problem(value, "unknown field '\(InputText.excerpt(name))' (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            fields[name] = value
        }
        return fields
    }

    mutating func string(_ node: Node?, _ field: String, of parent: Node) -> String? {
        guard let node else { problem(parent, "missing field '\(field)'"); return nil }
        guard let text = node.string, !text.isEmpty else { problem(node, "'\(field)' must be a non-empty string"); return nil }
        return text
    }

    mutating func provenance(_ node: Node?, of parent: Node) -> Provenance? {
        guard let text = string(node, "provenance", of: parent) else { return nil }
        guard let tag = Provenance(rawValue: text) else {
            problem(node, "unknown provenance '\(InputText.excerpt(text))' (one of: \(Provenance.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        return tag
    }

    /// One quantity entry; `earlier` are the quantities already read (for `at`).
    mutating func quantity(_ node: Node, known: Set<String>, earlier: [TheoryQuantity]) -> TheoryQuantity? {
        guard let fields = fields(node, allowed: ["id", "title", "formula", "at", "units", "provenance", "note", "section", "task"]),
              let id = string(fields["id"], "id", of: node), let title = string(fields["title"], "title", of: node),
              let text = string(fields["formula"], "formula", of: node), let units = string(fields["units"], "units", of: node),
              let provenance = provenance(fields["provenance"], of: node) else { return nil }
        if known.contains(id) { problem(fields["id"], "'\(InputText.excerpt(id))' is already defined"); return nil }
        var formula: Formula
        do { formula = try Formula(parsing: text) } catch {
            problems.append(ProofProblem(position(fields["formula"]!, line: error.line, column: error.column), "malformed formula '\(InputText.excerpt(text))': \(error.message)"))
            return nil
        }
        for name in formula.identifiers.sorted() where !known.contains(name) {
            problem(fields["formula"], "unknown identifier '\(InputText.excerpt(name))' in the formula of '\(id)' (quantities must be defined before they are used)")
            return nil
        }
        if let at = fields["at"] {
            guard case .variable(let base) = formula, let definition = earlier.first(where: { $0.id == base })?.formula,
                  let values = at.mapping else {
                problem(at, "'at' needs a formula that names one earlier quantity and a mapping of identifiers to numbers")
                return nil
            }
            var fixed: [String: Double] = [:]
            for (name, value) in entries(values, of: at) {
                guard known.contains(name), let number = value.string.flatMap(Double.init) else {
                    problem(value, "'at' maps known identifiers to numbers ('\(InputText.excerpt(name))')")
                    return nil
                }
                fixed[name] = number
            }
            formula = Self.expanding(definition, dependingOn: Set(fixed.keys), earlier).substituting(values: fixed).simplified()
        }
        var task: Int?
        if let node = fields["task"] {
            guard let value = node.string.flatMap(Int.init), value == 1 || value == 2 else { problem(node, "'task' is 1 or 2"); return nil }
            task = value
        }
        return TheoryQuantity(id: id, title: title, formula: formula, units: units, provenance: provenance,
                              provenanceNote: fields["note"]?.string, section: fields["section"]?.string ?? "§6", task: task)
    }

    /// `formula` with every earlier quantity that depends (directly or through others) on one of
    /// `names` replaced by its definition, so that fixing `names` reaches them all; quantities
    /// that do not depend on them stay by name (Γ(0) reads A₂²/B₂, not its expansion).
    static func expanding(_ formula: Formula, dependingOn names: Set<String>, _ earlier: [TheoryQuantity]) -> Formula {
        var dependent = names
        for q in earlier where !q.formula.identifiers.isDisjoint(with: dependent) { dependent.insert(q.id) }
        let definitions = Dictionary(earlier.filter { dependent.contains($0.id) }.map { ($0.id, $0.formula) }) { first, _ in first }
        var result = formula
        while !result.identifiers.isDisjoint(with: Set(definitions.keys)) {
            result = result.substituting(definitions)
        }
        return result
    }

    mutating func relation(_ node: Node, _ text: String, known: Set<String>) -> Relation? {
        do {
            let relation = try Relation(parsing: text)
            for name in relation.identifiers.sorted() where !known.contains(name) {
                problem(node, "unknown identifier '\(InputText.excerpt(name))' in '\(InputText.excerpt(text))'")
                return nil
            }
            return relation
        } catch {
            problems.append(ProofProblem(position(node, line: error.line, column: error.column), "malformed relation '\(InputText.excerpt(text))': \(error.message)"))
            return nil
        }
    }
}
